/*
 * A plain Node script (no Nest app, no @nestjs/* installed) that uses the framework-free entry,
 * `nestjs-dynamo-metrics/core`. test/compat/nest-versions.e2e.test.ts compiles it with several
 * TypeScript versions (`skipLibCheck: false`) and runs the output. Excluded from the
 * repository's own tsconfig: it imports the package by name.
 */
import { existsSync } from 'node:fs';
import { DistributedRuntime, DynamoMetricsError, WorkerMetrics } from 'nestjs-dynamo-metrics/core';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

async function main(): Promise<void> {
  const runtime = new DistributedRuntime({ prefix: 'dynamo' });
  const endpoint = runtime.namespace('dynamo').component('backend').endpoint('generate');
  endpoint.createCounter('jobs_total', 'Jobs').inc(3);
  // The standard worker metrics, recorded by hand: one call that succeeded.
  const worker = new WorkerMetrics(endpoint);
  worker.requests.inc();
  worker.duration.observe(0.25);
  let refused = '';
  try {
    endpoint.createCounter('bad name', 'Refused');
  } catch (err) {
    refused = err instanceof DynamoMetricsError ? 'DynamoMetricsError' : String(err);
  }
  const nestLoaded = Object.keys(require.cache).filter((k) => k.includes('@nestjs'));
  process.stdout.write(
    [
      `nestjs-installed: ${existsSync('node_modules/@nestjs')}`,
      `nestjs-loaded: ${nestLoaded.length}`,
      `refused: ${refused}`,
      '--- metrics ---',
      (await runtime.prometheusMetricsFmt(OPENMETRICS)).replace(/\n$/, ''),
      '--- end metrics ---',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`core script failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
