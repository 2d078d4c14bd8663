/**
 * The package's one way to key a tuple of strings (label values, names): each value prefixed
 * by its length, so `["a,b"]` and `["a","b"]` stay apart, which joining with a separator does
 * not (prom-client's bug with `,`), and cheaper than JSON on the call path.
 */
export function tupleKey(values: readonly string[]): string {
  let key = '';
  for (const v of values) key += `${v.length}:${v}`;
  return key;
}

/** The key of a label set whatever the order of its names; values compared as text. */
export function labelSetKey(labels: Readonly<Record<string, string | number>> = {}): string {
  const names = Object.keys(labels).sort();
  return tupleKey(names.flatMap((name) => [name, String(labels[name])]));
}
