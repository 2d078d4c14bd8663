// Parses Prometheus text exposition (0.0.4) in the browser: every sample, with its labels
// unescaped, grouped by sample name. Comments other than # TYPE are skipped.

/** @typedef {{ labels: Record<string, string>, value: number }} Sample */
/** @typedef {{ samples: Map<string, Sample[]>, types: Map<string, string> }} Scrape */

/** @returns {Scrape} */
export function parseExposition(text) {
  const samples = new Map();
  const types = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line[0] === '#') {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (type) types.set(type[1], type[2]);
      continue;
    }
    const sample = parseSample(line);
    if (!sample) continue;
    let list = samples.get(sample.name);
    if (!list) samples.set(sample.name, (list = []));
    list.push({ labels: sample.labels, value: sample.value });
  }
  return { samples, types };
}

function parseSample(line) {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  const labels = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const eq = line.indexOf('=', i);
      if (eq < 0 || line[eq + 1] !== '"') return undefined;
      const key = line.slice(i, eq).trim();
      const value = readQuoted(line, eq + 2);
      if (!value) return undefined;
      labels[key] = value.text;
      i = value.end;
    }
  }
  const value = parseValue(line.slice(i).trim().split(/\s+/)[0]);
  return name && !Number.isNaN(value) ? { name, labels, value } : undefined;
}

/** Reads a label value from just after its opening quote: `\\`, `\"` and `\n` unescaped. */
function readQuoted(line, start) {
  let text = '';
  let i = start;
  for (;;) {
    const quote = line.indexOf('"', i);
    const slash = line.indexOf('\\', i);
    if (quote < 0) return undefined;
    if (slash < 0 || quote < slash) return { text: text + line.slice(i, quote), end: quote + 1 };
    const next = line[slash + 1];
    text += line.slice(i, slash) + (next === 'n' ? '\n' : next);
    i = slash + 2;
  }
}

function parseValue(token) {
  if (token === '+Inf' || token === 'Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  if (token === 'NaN' || token === undefined || token === '') return NaN;
  return Number(token);
}
