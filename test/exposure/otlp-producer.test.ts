import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import {
  DistributedRuntime,
  loadOtlpSdk,
  OtlpProtocol,
  PROCESS_START,
  RuntimeMetricProducer,
  traceExemplar,
} from '../../src/internal';
import { OPENMETRICS_TYPE } from '../support/content-types';
import { turnsDuring } from '../support/event-loop';
import { Sample, Scrape } from '../support/exposition-parser';
import { asSamples, OtlpReceiver, ReceivedExport } from '../support/otlp-receiver';

/**
 * The runtime as the OTLP export sees it: the producer reads what /metrics reads (the same
 * families, series, label sets and values, prom-client's global registry included), and each
 * protocol's official exporter carries it to a receiver that decodes it with OpenTelemetry's
 * own protobuf definitions. Compared sample by sample with the exposition.
 */

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf', 'grpc'];
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A runtime with every kind of metric, at every level, and a global registry beside it. */
function populated() {
  const globalRegistry = new Registry();
  const runtime = new DistributedRuntime({ includeGlobalRegistry: true, globalRegistry });
  runtime.createIntGauge('build_info', 'Build information', { version: '1.2.0' }).set(1);
  const ns = runtime.namespace('inference');
  ns.createGauge('queue_depth', 'Requests waiting').set(-2.5);
  const backend = ns.component('backend');
  const hits = backend.createCounterVec('cache_hits_total', 'Cache hits', ['tier']);
  hits.labels('gpu').inc(3);
  // Label values that prom-client would merge, and text that needs escaping in the exposition.
  hits.labels('a,b').inc(1);
  hits.labels('quote " back \\ é').inc(0.5);
  backend.createCounterVec('never_used_total', 'A vec without series', ['x']);
  const latency = backend
    .endpoint('generate')
    .createHistogram('step_seconds', 'Step', {}, [0.01, 0.1, 1]);
  for (const v of [0.005, 0.05, 0.05, 0.5, 7]) latency.observe(v);
  latency.observe(0.07, traceExemplar(TRACE));
  new Counter({
    name: 'jobs_total',
    help: 'Jobs',
    labelNames: ['queue'],
    registers: [globalRegistry],
  }).inc({ queue: 'mail' }, 4);
  new Gauge({ name: 'temperature', help: 'Temp', registers: [globalRegistry] }).set(21.5);
  const sizes = new Histogram({
    name: 'payload_bytes',
    help: 'Sizes',
    labelNames: ['route'],
    buckets: [100, 1000],
    registers: [globalRegistry],
  });
  sizes.observe({ route: '/a' }, 50);
  sizes.observe({ route: '/a' }, 5000);
  sizes.observe({ route: '/b' }, 500);
  const summary = new Summary({
    name: 'gc_pause_seconds',
    help: 'Pauses',
    percentiles: [0.5, 0.9],
    registers: [globalRegistry],
  });
  summary.observe(0.25);
  return { runtime, latency };
}

/** The SDK's enums, the way the export loads them. */
const sdk = loadOtlpSdk('http/json');
const producerOf = (runtime: DistributedRuntime) =>
  new RuntimeMetricProducer(runtime, sdk, sdk.resource({}));

/** One collection sent by the protocol's official exporter, as the receiver decoded it. */
async function exportOnce(
  protocol: OtlpProtocol,
  producer: RuntimeMetricProducer,
): Promise<ReceivedExport> {
  const receiver = await OtlpReceiver.start(protocol);
  const exporter = new (loadOtlpSdk(protocol).OTLPMetricExporter)({ url: receiver.endpoint });
  try {
    const { resourceMetrics } = await producer.collect();
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export(resourceMetrics, resolve),
    );
    assert.equal(result.code, 0, `export failed: ${result.error?.message}`);
    return await receiver.waitFor('the export', () => true);
  } finally {
    await exporter.shutdown();
    await receiver.stop();
  }
}

const byKey = (samples: Sample[]) =>
  samples
    .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`)
    .sort();

describe('the runtime as OTLP metrics', () => {
  const { runtime } = populated();
  const received = new Map<OtlpProtocol, ReceivedExport>();
  let exposition: Scrape;

  before(async () => {
    exposition = new Scrape(await runtime.prometheusMetricsFmt());
    for (const protocol of PROTOCOLS)
      received.set(protocol, await exportOnce(protocol, producerOf(runtime)));
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: every sample of /metrics, same names, labels and values, nothing else`, () => {
      const points = received.get(protocol)!.points;
      assert.deepEqual(byKey(asSamples(points)), byKey(exposition.samples));
      assert.ok(
        !points.some((p) => p.name === 'dynamo_never_used_total'),
        'a family without series is left out',
      );
    });

    it(`${protocol}: counters as cumulative monotonic sums, gauges, histograms per bucket`, () => {
      const points = received.get(protocol)!.points;
      const kinds = Object.fromEntries(
        points.map((p) => [p.name, [p.kind, p.temporality, p.monotonic]]),
      );
      assert.deepEqual(kinds, {
        dynamo_build_info: ['gauge', undefined, undefined],
        dynamo_queue_depth: ['gauge', undefined, undefined],
        dynamo_cache_hits_total: ['sum', 2, true],
        dynamo_step_seconds: ['histogram', 2, undefined],
        jobs_total: ['sum', 2, true],
        temperature: ['gauge', undefined, undefined],
        payload_bytes: ['histogram', 2, undefined],
        gc_pause_seconds: ['gauge', undefined, undefined],
        gc_pause_seconds_sum: ['gauge', undefined, undefined],
        gc_pause_seconds_count: ['gauge', undefined, undefined],
      });
      const step = points.find((p) => p.name === 'dynamo_step_seconds')!;
      assert.deepEqual(step.attributes, {
        namespace: 'inference',
        component: 'backend',
        endpoint: 'generate',
      });
      assert.deepEqual(step.bounds, [0.01, 0.1, 1]);
      // 0.005 | 0.05 0.05 0.07 | 0.5 | 7
      assert.deepEqual(step.bucketCounts, [1, 3, 1, 1]);
      assert.equal(step.count, 6);
      assert.ok(Math.abs(step.sum! - 7.675) < 1e-9, String(step.sum));
      const payload = points
        .filter((p) => p.name === 'payload_bytes')
        .map((p) => [p.attributes, p.bucketCounts]);
      assert.deepEqual(payload, [
        [{ route: '/a' }, [1, 0, 1]],
        [{ route: '/b' }, [0, 1, 0]],
      ]);
      for (const p of points) {
        assert.equal(p.unit, '', p.name);
        assert.notEqual(p.description, '', p.name);
        if (p.kind !== 'histogram')
          assert.equal(p.double, true, `${p.name}: values as doubles, as Dynamo sends them`);
      }
    });

    it(`${protocol}: one start time per process, the collection's time, the package's scope`, () => {
      const { points, scopes } = received.get(protocol)!;
      const start = BigInt(PROCESS_START[0]) * 1_000_000_000n + BigInt(PROCESS_START[1]);
      assert.deepEqual([...new Set(points.map((p) => p.start))], [start]);
      const [time, ...others] = new Set(points.map((p) => p.time));
      assert.equal(others.length, 0, 'every point of a collection has its time');
      assert.ok(time! > start && time! <= BigInt(Date.now()) * 1_000_000n, String(time));
      assert.deepEqual(scopes, ['nestjs-dynamo-metrics']);
    });

    it(`${protocol}: exemplars stay on /metrics: OpenTelemetry JS has no exemplar in its data model`, async () => {
      const open = await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE);
      assert.match(
        open,
        new RegExp(`dynamo_step_seconds_bucket\\{le="0.1",[^}]*\\} 4 # \\{trace_id="${TRACE}"\\}`),
      );
      assert.deepEqual(
        received.get(protocol)!.points.filter((p) => p.exemplars > 0),
        [],
      );
    });
  }
});

describe('collecting for OTLP', () => {
  let big: DistributedRuntime;
  before(() => {
    big = new DistributedRuntime();
    const component = big.namespace('dynamo').component('backend');
    for (let i = 0; i < 10_000; i++)
      component
        .endpoint(`e${i}`)
        .createHistogram('step_seconds', 'Step')
        .observe(i % 7);
  });

  it('yields to the event loop every slice, as a scrape does (10,000 histogram series)', async () => {
    const { turns, result } = await turnsDuring(() => producerOf(big).collect());
    const metrics = (
      result.resourceMetrics as {
        scopeMetrics: Array<{ metrics: Array<{ dataPoints: unknown[] }> }>;
      }
    ).scopeMetrics[0]!.metrics;
    assert.equal(metrics[0]!.dataPoints.length, 10_000);
    assert.ok(turns >= 5, `only ${turns} turns of the event loop during the collection`);
  });

  it('shows a histogram as it was when its collection began, as a render does', async () => {
    const last = big
      .namespace('dynamo')
      .component('backend')
      .endpoint('e9999')
      .createHistogram('step_seconds', 'Step');
    const before = last.get().count;
    const collecting = producerOf(big).collect();
    // Runs while the collection yields between slices, before it reaches the last series.
    setImmediate(() => last.observe(1));
    const { resourceMetrics } = await collecting;
    const points = (
      resourceMetrics as {
        scopeMetrics: Array<{
          metrics: Array<{
            dataPoints: Array<{ attributes: Record<string, string>; value: { count: number } }>;
          }>;
        }>;
      }
    ).scopeMetrics[0]!.metrics[0]!.dataPoints;
    assert.equal(points.find((p) => p.attributes.endpoint === 'e9999')!.value.count, before);
    assert.equal(last.get().count, before + 1, 'the observation itself is kept');
  });
});
