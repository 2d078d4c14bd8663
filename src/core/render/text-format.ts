/**
 * The pieces of the text formats (Prometheus 0.0.4 and OpenMetrics 1.0), character for
 * character as prom-client's Registry writes them (lib/registry.js), so the output does not change
 * for anyone who compared it with prom-client's. Every line the package writes goes through here.
 */

const NEEDS_ESCAPE = /[\\\n"]/;

/** A label value inside double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text (and metric names): backslash and line feed escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * `a="1",b="2"` for the labels in their own order, leaving out names in `except`; `''` when
 * none. Numbers (prom-client's `le`) are written as they print.
 */
export function labelPairs(
  labels: Readonly<Record<string, string | number>>,
  except?: Readonly<Record<string, unknown>>,
): string {
  let text = '';
  for (const name of Object.keys(labels)) {
    if (except && Object.hasOwn(except, name)) continue;
    const value = labels[name]!;
    if (text !== '') text += ',';
    text += `${name}="${typeof value === 'string' ? escapeLabelValue(value) : value}"`;
  }
  return text;
}

/** What the counters of a family are called in the format's metadata lines. */
export function familyName(name: string, type: string, openMetrics: boolean): string {
  return openMetrics && type === 'counter' ? name.replace(/_total$/, '') : name;
}

/** The HELP and TYPE lines of a family, under the name the format shows. */
export function familyHeader(shown: string, help: string, type: string): string {
  const name = escapeHelp(shown);
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}
