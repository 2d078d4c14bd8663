/**
 * The one way to key a tuple of values (label values, names): JSON keeps `["a,b"]` and
 * `["a","b"]` apart, which joining with a separator does not (prom-client's bug with `,`).
 */
export const tupleKey = (values: readonly unknown[]): string => JSON.stringify(values);

/** The key of a label set whatever the order of its names; values compared as text. */
export function labelSetKey(labels: Readonly<Record<string, string | number>> = {}): string {
  return tupleKey(
    Object.entries(labels)
      .map(([name, value]) => [name, String(value)])
      .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
  );
}
