type AggregateFn = (values: number[]) => number;

/** How each aggregator merges one sample's values across workers; `null` (omit) drops the metric. */
export const AGGREGATE = Object.freeze({
  sum: (v) => v.reduce((a, b) => a + b, 0),
  first: (v) => v[0]!,
  min: (v) => v.reduce((a, b) => Math.min(a, b), Infinity),
  max: (v) => v.reduce((a, b) => Math.max(a, b), -Infinity),
  average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  omit: null,
} satisfies Record<string, AggregateFn | null>);

/**
 * How the cluster primary may merge a metric, named as prom-client's (lib/metricAggregators.js), so
 * the `aggregator` of a prom-client metric means the same here.
 */
export type ClusterAggregator = keyof typeof AGGREGATE;
export const CLUSTER_AGGREGATORS: readonly ClusterAggregator[] = Object.freeze(
  Object.keys(AGGREGATE) as ClusterAggregator[],
);

/** The merge function of `name`; null for `omit`, undefined for a name that is not an aggregator. */
export function aggregatorFn(name: string): AggregateFn | null | undefined {
  // Own keys only: names such as 'toString' are not aggregators.
  return Object.hasOwn(AGGREGATE, name) ? AGGREGATE[name as ClusterAggregator] : undefined;
}
