import { DistributedRuntime, WorkerMetrics } from '../src';
import { BenchArgs, nsPerOp, round } from './harness';
import { promClientWorkerMetrics } from './promclient-reference';

/**
 * The worker-metric updates of one call (concurrency inc and dec, requests, request and
 * response bytes, duration observe), through the core's bound series versus prom-client's API
 * with labels. Both sides read the clock twice, as a real call does.
 */
export function benchInprocess(args: BenchArgs) {
  const endpoint = new DistributedRuntime()
    .namespace('dynamo')
    .component('backend')
    .endpoint('generate');
  const worker = new WorkerMetrics(endpoint);

  const labels = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };
  const { requests, concurrent, duration, bytesIn, bytesOut } = promClientWorkerMetrics();

  const ours = (n: number) => {
    for (let i = 0; i < n; i++) {
      const started = worker.start();
      worker.end({ startedAt: started, requestBytes: 128, responseBytes: 512 });
    }
  };
  const promclient = (n: number) => {
    for (let i = 0; i < n; i++) {
      requests.inc(labels);
      concurrent.inc(labels);
      const started = performance.now();
      concurrent.dec(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
      bytesIn.inc(labels, 128);
      bytesOut.inc(labels, 512);
    }
  };

  const iterations = args.quick ? 300_000 : 2_000_000;
  const rounds = args.quick ? 5 : 9;
  let ns = Infinity;
  let promclientNs = Infinity;
  // Alternate the two sides so both see the same machine state.
  for (let r = 0; r < 3; r++) {
    ns = Math.min(ns, nsPerOp(ours, iterations, rounds));
    promclientNs = Math.min(promclientNs, nsPerOp(promclient, iterations / 4, rounds));
  }
  return {
    ns: round(ns, 1),
    promclient_ns: round(promclientNs, 1),
    ratio_vs_promclient: round(ns / promclientNs),
  };
}
