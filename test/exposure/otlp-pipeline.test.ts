import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DistributedRuntime,
  OTLP_MAX_POINTS_PER_REQUEST,
  OtlpConfig,
  OtlpProtocol,
  resolveConfig,
  startOtlpExport,
} from '../../src/internal';
import { OtlpReceiver } from '../support/otlp-receiver';

/**
 * The export pipeline (reader, producer, official exporter) against a receiver: a large
 * collection goes in requests of at most OTLP_MAX_POINTS_PER_REQUEST points; once a request of
 * an export fails, the rest of that export is not sent (the next, cumulative, carries all); the
 * resource names the instance unless told otherwise.
 */

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf', 'grpc'];

/** Settings for a receiver, no periodic export during a test (exports are forced). */
const settings = (receiver: OtlpReceiver, env: Record<string, string> = {}): OtlpConfig =>
  resolveConfig(
    {},
    {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: receiver.protocol,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.endpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '3600000',
      ...env,
    },
  ).otlp!;

/** A runtime of `n` counter series. */
function counters(n: number): DistributedRuntime {
  const runtime = new DistributedRuntime();
  const vec = runtime.namespace('dynamo').createCounterVec('jobs_total', 'Jobs', ['job']);
  for (let i = 0; i < n; i++) vec.labels(`j${i}`).inc(i);
  return runtime;
}

for (const protocol of PROTOCOLS) {
  describe(`the OTLP export pipeline, ${protocol}`, () => {
    it('sends a large collection in parts, and stops an export at its first failed request', async () => {
      const receiver = await OtlpReceiver.start(protocol);
      const outcomes: boolean[] = [];
      const provider = startOtlpExport(counters(1200), settings(receiver), (ok) =>
        outcomes.push(ok),
      );
      try {
        receiver.failWith = protocol === 'grpc' ? 3 /* INVALID_ARGUMENT */ : 400;
        await provider.forceFlush();
        assert.equal(receiver.requests, 1, 'one request sent, the other parts skipped');
        assert.deepEqual(outcomes, [false]);

        receiver.failWith = undefined;
        await provider.forceFlush();
        const parts = Math.ceil(1200 / OTLP_MAX_POINTS_PER_REQUEST);
        assert.ok(parts >= 3, `${parts} parts`);
        assert.equal(receiver.requests, 1 + parts);
        assert.deepEqual(outcomes, [false, ...Array<boolean>(parts).fill(true)]);
        const sizes = receiver.exports.map((e) => e.points.length);
        assert.deepEqual(sizes, [
          ...Array<number>(parts - 1).fill(OTLP_MAX_POINTS_PER_REQUEST),
          1200 - (parts - 1) * OTLP_MAX_POINTS_PER_REQUEST,
        ]);
        const jobs = receiver.points().map((p) => [p.attributes.job, p.value]);
        assert.deepEqual(
          jobs,
          Array.from({ length: 1200 }, (_, i) => [`j${i}`, i]),
        );
      } finally {
        await provider.shutdown();
        await receiver.stop();
      }
    });

    it('names the instance unless told otherwise', async () => {
      const receiver = await OtlpReceiver.start(protocol);
      const given = startOtlpExport(
        counters(1),
        settings(receiver, { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-7' }),
        () => undefined,
      );
      const generated = [1, 2].map(() =>
        startOtlpExport(counters(1), settings(receiver), () => undefined),
      );
      try {
        for (const provider of [given, ...generated]) await provider.forceFlush();
        const ids = receiver.exports.map((e) => e.resource['service.instance.id']);
        assert.equal(ids[0], 'pod-7');
        assert.match(
          ids[1]!,
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        assert.notEqual(ids[1], ids[2], 'two processes, two instances');
        assert.equal(receiver.exports[0]!.resource.worker, undefined, 'not a cluster worker');
      } finally {
        for (const provider of [given, ...generated]) await provider.shutdown();
        await receiver.stop();
      }
    });
  });
}
