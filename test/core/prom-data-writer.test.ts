import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import {
  DistributedRuntime,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/internal';

/**
 * Metrics that are not the package's own (prom-client registries, cluster merges) are written by
 * the package's one formatter, as prom-client's Registry writes them; NaN is spelled `NaN` (both
 * formats' spelling; prom-client writes `Nan`).
 */

const TRICKY = 'x"y\\z\nw, ünï';

function foreign(contentType: string) {
  const openMetrics = contentType === OPENMETRICS_CONTENT_TYPE;
  const registry = new (Registry as unknown as new (t: string) => Registry)(contentType);
  const registers = [registry];
  const jobs = new Counter({
    name: 'jobs_total',
    help: `Jobs \\ ${TRICKY}`,
    labelNames: ['a', 'b'],
    registers,
  });
  jobs.inc({ a: TRICKY, b: '' }, 3);
  jobs.inc({ a: '1,b:2', b: '' });
  new Counter({ name: 'plain', help: 'Without _total', registers }).inc();
  const gauge = new Gauge({ name: 'levels', help: 'L', labelNames: ['k'], registers });
  gauge.set({ k: 'inf' }, Infinity);
  gauge.set({ k: 'ninf' }, -Infinity);
  gauge.set({ k: 'big' }, 1e21);
  gauge.set({ k: 'frac' }, 0.1 + 0.2);
  gauge.set({ k: 'nan' }, NaN);
  const histogram = new Histogram({
    name: 'latency_seconds',
    help: 'H',
    labelNames: ['m'],
    buckets: [0.1, 1],
    registers,
    enableExemplars: openMetrics,
  });
  if (openMetrics) {
    histogram.observe({
      labels: { m: 'a' },
      value: 0.5,
      exemplarLabels: { trace_id: 'abc' } as never,
    });
  } else {
    histogram.observe({ m: 'a' }, 0.5);
  }
  const summary = new Summary({ name: 'sizes', help: 'S', percentiles: [0.5, 0.9], registers });
  summary.observe(1);
  summary.observe(2);
  return registry;
}

describe('the formatter of prom-client style metrics', () => {
  for (const contentType of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]) {
    it(`writes what prom-client's Registry writes (${contentType.split(';')[0]})`, async () => {
      const registry = foreign(contentType);
      const runtime = new DistributedRuntime({
        globalRegistry: registry,
        includeGlobalRegistry: true,
      });
      const ours = await runtime.prometheusMetricsFmt(contentType);
      const theirs = await registry.metrics();
      assert.equal(ours, theirs.replace('levels{k="nan"} Nan', 'levels{k="nan"} NaN'));
      assert.match(ours, /^levels\{k="nan"\} NaN$/m);
    });
  }
});
