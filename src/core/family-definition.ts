export type MetricType = 'counter' | 'gauge' | 'histogram';

/** What makes two creations of one metric name the same metric. */
export interface FamilyDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly integer: boolean;
  readonly help: string;
  /** All label names in series order: hierarchy labels, constant labels, variable labels. */
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

export function describeDefinition(d: FamilyDefinition): string {
  const kind = `${d.integer ? 'integer ' : ''}${d.type}`;
  const buckets = d.buckets ? `, buckets=[${d.buckets.join(',')}]` : '';
  return `${kind}(help=${JSON.stringify(d.help)}, labels=[${[...d.labelNames].sort().join(',')}]${buckets})`;
}

export function sameDefinition(a: FamilyDefinition, b: FamilyDefinition): boolean {
  if (a.type !== b.type || a.integer !== b.integer || a.help !== b.help) return false;
  if (a.labelNames.length !== b.labelNames.length) return false;
  const names = new Set(a.labelNames);
  if (!b.labelNames.every((n) => names.has(n))) return false;
  if (!a.buckets !== !b.buckets) return false;
  return !a.buckets || a.buckets.join(',') === b.buckets!.join(',');
}
