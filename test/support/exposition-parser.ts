/**
 * Parses Prometheus text exposition (format 0.0.4) into samples, so tests can assert exact
 * values by metric name and exact label set instead of matching regular expressions.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      const n = Number(text);
      if (Number.isNaN(n)) throw new Error(`bad sample value ${JSON.stringify(text)}`);
      return n;
    }
  }
}

/** Parses one `{a="x",b="y"}` block starting at `text[start] === '{'`; returns labels and end. */
function parseLabels(text: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return [labels, i + 1];
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in ${JSON.stringify(text)}`);
    const name = text.slice(i, eq).trim();
    i = eq + 1;
    if (text[i] !== '"') throw new Error(`bad label value in ${JSON.stringify(text)}`);
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in ${JSON.stringify(text)}`);
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        value += c;
        i++;
      }
    }
    if (name in labels) throw new Error(`duplicate label ${name} in ${JSON.stringify(text)}`);
    labels[name] = value;
  }
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      let end: number;
      [labels, end] = parseLabels(line, brace);
      rest = line.slice(end).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    // A timestamp may follow the value.
    samples.push({ name, labels, value: parseValue(rest.split(/\s+/)[0]!) });
  }
  return samples;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** A scrape, queried by name and *exact* label set. */
export class Scrape {
  readonly samples: Sample[];

  constructor(readonly text: string) {
    this.samples = parseExposition(text);
  }

  /** The sample with exactly these labels, or undefined. Throws if more than one matches. */
  find(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.samples.filter((s) => s.name === name && sameLabels(s.labels, labels));
    if (found.length > 1) throw new Error(`${found.length} samples ${name}${fmt(labels)}`);
    return found[0]?.value;
  }

  /** The sample with exactly these labels; throws (listing what exists) when missing. */
  get(name: string, labels: Record<string, string> = {}): number {
    const value = this.find(name, labels);
    if (value === undefined) {
      const same = this.samples
        .filter((s) => s.name === name)
        .map((s) => `${s.name}${fmt(s.labels)} ${s.value}`);
      throw new Error(
        `no sample ${name}${fmt(labels)}; samples of that name:\n  ${same.join('\n  ') || '(none)'}`,
      );
    }
    return value;
  }

  /** Every sample of `name` whose labels include `subset`. */
  matching(name: string, subset: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(subset).every(([k, v]) => s.labels[k] === v),
    );
  }

  /** Names of all samples (deduplicated). */
  names(): Set<string> {
    return new Set(this.samples.map((s) => s.name));
  }
}

function fmt(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
}

/** The value of the first sample line that starts with `series` (name plus labels). */
export function sample(body: string, series: string): number | undefined {
  for (const line of body.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}
