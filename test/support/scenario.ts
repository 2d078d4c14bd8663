import { DistributedRuntime } from '../../src';

/**
 * The exposition scenario shared by exposition.test.ts (exact text) and promtool.test.ts (real
 * `promtool check metrics`): metrics at all four levels, constant labels, variable labels in
 * object and positional form, a histogram with custom buckets and int variants. Values are
 * chosen to be exact in binary floating point so the expected text can be written literally.
 */
export function buildScenario(): DistributedRuntime {
  const runtime = new DistributedRuntime();

  // Runtime level: no hierarchy labels.
  runtime
    .createCounter('runtime_restarts_total', 'Restarts of the runtime', { region: 'eu-west' })
    .inc(2);
  runtime.createIntGauge('runtime_workers', 'Worker processes of the runtime').set(4);

  // Namespace level; 'my-ns' is sanitised to 'my_ns'. A sibling namespace shares the family.
  const ns = runtime.namespace('my-ns');
  ns.createGauge('queue_depth', 'Requests waiting in the queue', { pool: 'primary' }).set(1.5);
  runtime
    .namespace('other')
    .createGauge('queue_depth', 'Requests waiting in the queue', { pool: 'primary' })
    .set(9);

  // Component level: constant labels (given unsorted) plus variable labels.
  const backend = ns.component('backend');
  const requests = backend.createCounterVec(
    'component_requests_total',
    'Requests handled by the component',
    ['model', 'status'],
    { tier: 'gold', az: 'b' },
  );
  requests.labels({ model: 'llama-3', status: 'ok' }).inc(3);
  requests.labels('gpt-4o', 'error').inc();

  // Endpoint level: histogram with custom buckets (0.5 lands exactly on a bound), int vec.
  const generate = backend.endpoint('generate');
  const latency = generate.createHistogram(
    'endpoint_latency_seconds',
    'Latency of the endpoint',
    { gpu: 'a100' },
    [0.1, 0.5, 1],
  );
  for (const seconds of [0.0625, 0.5, 0.75, 3]) latency.observe(seconds);
  const tokens = generate.createIntCounterVec(
    'endpoint_tokens_total',
    'Tokens processed by the endpoint',
    ['kind'],
  );
  tokens.labels('input').inc(7);
  tokens.labels({ kind: 'output' }).inc(11);

  // Sibling endpoint: shares the tokens family, and has a metric of its own.
  const embed = backend.endpoint('embed');
  embed
    .createIntCounterVec('endpoint_tokens_total', 'Tokens processed by the endpoint', ['kind'])
    .labels('input')
    .inc(2);
  embed.createIntCounter('embeddings_total', 'Embeddings computed').inc(5);

  // Sibling component.
  ns.component('router').createIntGauge('routes', 'Routes known to the router').set(2);

  return runtime;
}
