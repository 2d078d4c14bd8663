// The framework-free entry from an ES module, with top-level await: named imports of the
// CommonJS package through Node's interop, no @nestjs/* installed (see core.ts).
import { DistributedRuntime } from 'nestjs-dynamo-metrics/core';

const runtime = new DistributedRuntime({ prefix: 'dynamo' });
const endpoint = runtime.namespace('dynamo').component('backend').endpoint('generate');
endpoint.createCounter('requests_total', 'Requests').inc();
process.stdout.write(await runtime.prometheusMetricsFmt());
