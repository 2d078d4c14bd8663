/**
 * The pieces of the text formats (Prometheus 0.0.4 and OpenMetrics 1.0) the renderer writes,
 * character for character as prom-client's Registry writes them (lib/registry.js), so the
 * output does not change for anyone who compared it with prom-client's.
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

/** `a="1",b="2"` for the labels in their own order, or `''` when there are none. */
export function labelPairs(labels: Readonly<Record<string, string>>): string {
  let text = '';
  for (const name in labels) {
    if (text !== '') text += ',';
    text += name + '="' + escapeLabelValue(labels[name]!) + '"';
  }
  return text;
}

/** What the counters of a family are called in the format's metadata lines. */
export function familyName(name: string, type: string, openMetrics: boolean): string {
  return openMetrics && type === 'counter' ? name.replace(/_total$/, '') : name;
}
