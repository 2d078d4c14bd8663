import { Histogram, Registry } from 'prom-client';
import { DistributedRuntime, WORKER_METRICS, WorkerMetrics } from '../src';
import { BenchArgs, round } from './harness';

/**
 * `/metrics` cost for 1,000 labelled histogram series: the runtime's prometheusMetricsFmt()
 * versus prom-client's own metrics() on the same series and observations.
 */
export async function benchScrape(args: BenchArgs) {
  const series = 1000;
  const runtime = new DistributedRuntime();
  const component = runtime.namespace('dynamo').component('backend');
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'dynamo_request_duration_seconds',
    help: WORKER_METRICS.duration.help,
    labelNames: ['namespace', 'component', 'endpoint'],
    registers: [registry],
  });
  for (let i = 0; i < series; i++) {
    const name = `endpoint_${i}`;
    const hist = component
      .endpoint(name)
      .createHistogram(WORKER_METRICS.duration.name, WORKER_METRICS.duration.help);
    const bound = histogram.labels({ namespace: 'dynamo', component: 'backend', endpoint: name });
    for (let k = 0; k < 20; k++) {
      const v = (k * 0.37 + i * 0.001) % 12;
      hist.observe(v);
      bound.observe(v);
    }
  }
  const oursText = await runtime.prometheusMetricsFmt();
  const theirsText = await registry.metrics();
  if (oursText.length !== theirsText.length) {
    throw new Error(
      `scrape bench: outputs differ in size (${oursText.length} vs ${theirsText.length})`,
    );
  }

  const rounds = args.quick ? 15 : 40;
  const time = async (fn: () => Promise<string>) => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(await time(() => runtime.prometheusMetricsFmt()));
    theirs.push(await time(() => registry.metrics()));
  }
  const best = (xs: number[]) => Math.min(...xs);
  const ms = best(ours);
  const promclientMs = best(theirs);

  // Memory per series and heap over many calls: fixed cost per series, flat heap on the hot path.
  const worker = new WorkerMetrics(component.endpoint('heap_check'));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const calls = args.quick ? 200_000 : 1_000_000;
  for (let i = 0; i < calls; i++) worker.end(worker.start(), 10, 10);
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  return {
    series,
    ms: round(ms, 2),
    promclient_ms: round(promclientMs, 2),
    ratio_vs_promclient: round(ms / promclientMs),
    heap_growth_kb_over_calls: round((heapAfter - heapBefore) / 1024, 1),
    calls,
  };
}
