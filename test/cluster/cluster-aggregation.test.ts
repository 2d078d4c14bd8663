import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateWorkerMetrics, retain } from '../../src/core/cluster/cluster-aggregation';
import type { WireMetric } from '../../src/core/cluster/cluster.protocol';

/** What stays of a worker that went away (issue 24: counters that never go down in cluster mode). */

const worker = (requests: number, inflight: number, bucket: number): WireMetric[] => [
  {
    name: 'requests_total',
    help: 'R',
    type: 'counter',
    values: [{ labels: { e: 'x' }, value: requests }],
  },
  { name: 'inflight', help: 'I', type: 'gauge', values: [{ labels: { e: 'x' }, value: inflight }] },
  { name: 'uptime', help: 'U', type: 'gauge', aggregator: 'max', values: [{ value: 9 }] },
  {
    name: 'duration',
    help: 'D',
    type: 'histogram',
    values: [
      { labels: { le: '1' }, value: bucket, metricName: 'duration_bucket' },
      { labels: {}, value: bucket, metricName: 'duration_count' },
    ],
  },
];

const values = (metrics: ReturnType<typeof aggregateWorkerMetrics>) =>
  Object.fromEntries(
    metrics.flatMap((m) =>
      (m.get() as WireMetric).values!.map((v) => [
        `${v.metricName ?? m.name}${JSON.stringify(v.labels)}`,
        v.value,
      ]),
    ),
  );

describe('retain', () => {
  it('keeps counters and histograms of a dead worker; its gauges leave with it', () => {
    const retained = retain([], worker(10, 3, 7));
    assert.deepEqual(
      retained.map((m) => m.name),
      ['requests_total', 'duration'],
    );
    // A restarted worker's new counts add to what was kept: no reset.
    assert.deepEqual(values(aggregateWorkerMetrics([worker(2, 1, 1), retained])), {
      'requests_total{"e":"x"}': 12,
      'inflight{"e":"x"}': 1,
      'uptime{}': 9,
      'duration_bucket{"le":"1"}': 8,
      'duration_count{}': 8,
    });
  });

  it('two workers gone: their last values sum', () => {
    const retained = retain(retain([], worker(10, 3, 7)), worker(5, 0, 5));
    assert.deepEqual(values(aggregateWorkerMetrics([retained])), {
      'requests_total{"e":"x"}': 15,
      'duration_bucket{"le":"1"}': 12,
      'duration_count{}': 12,
    });
  });
});
