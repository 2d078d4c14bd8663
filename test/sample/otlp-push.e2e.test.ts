import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OtlpProtocol } from '../../src/internal';
import { chatBody, sendChats } from '../support/chat-load';
import { Sample, Scrape } from '../support/exposition-parser';
import { asSamples, OtlpReceiver, ReceivedExport } from '../support/otlp-receiver';
import { poll } from '../support/poll';
import { SampleProcess, startSample, sumOf } from '../support/sample-process';

/**
 * The sample app pushing over OTLP, as the "done when" runs it
 * (`OTEL_METRICS_EXPORTER=otlp ... npm run sample`), in each protocol: every family `/metrics`
 * shows arrives, with the same label sets and the same values after known traffic, with the
 * resource, headers and temporality configured; and at SIGTERM the last export carries the
 * requests made just before it.
 */

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf', 'grpc'];
const WORKER = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };

/** Metrics that change by themselves between a scrape and an export (time, scrapes, exports). */
const MOVING = /^dynamo_(system_uptime_seconds|system_scrape|otlp_export)/;

/** Known traffic: unary and streamed chats, and failures of the `sample-fail` model. */
const TRAFFIC = [
  ...Array.from({ length: 6 }, () => chatBody('demo')),
  ...Array.from({ length: 4 }, () => ({ ...chatBody('demo'), stream: true })),
  ...Array.from({ length: 2 }, () => ({ ...chatBody('sample-fail'), max_tokens: 4 })),
];

const otlpEnv = (receiver: OtlpReceiver, intervalMs: number) => ({
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: receiver.protocol,
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.endpoint,
  OTEL_METRIC_EXPORT_INTERVAL: String(intervalMs),
});

const keyed = (samples: Sample[]) =>
  samples
    .filter((s) => !MOVING.test(s.name))
    .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`)
    .sort();

/** `# TYPE name type` of every family of the exposition. */
const familyTypes = (text: string) =>
  Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

const nanos = () => BigInt(Date.now()) * 1_000_000n;

/** The sum of the pushed samples named `name` whose labels include `match`. */
const total = (e: ReceivedExport, name: string, match: Record<string, string> = {}) =>
  asSamples(e.points)
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);

for (const protocol of PROTOCOLS) {
  describe(`OTLP push from the sample app, ${protocol}`, { timeout: 90_000 }, () => {
    let receiver: OtlpReceiver;
    let sample: SampleProcess;
    let scrape: Scrape;
    let pushed: ReceivedExport;

    before(async () => {
      receiver = await OtlpReceiver.start(protocol);
      sample = await startSample({
        env: {
          ...otlpEnv(receiver, 300),
          OTEL_SERVICE_NAME: 'sample-gateway',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=inference%20platform',
          OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=s3cret',
          // gzip over http/json; the other protocols send plain bodies.
          OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: protocol === 'http/json' ? 'gzip' : 'none',
        },
      });
      const statuses = await sendChats(sample.appPort, TRAFFIC, 4);
      assert.deepEqual([...statuses].sort(), [
        [200, 10],
        [500, 2],
      ]);
      // Settled: every call has ended (streams included) before the comparison starts.
      scrape = await poll('the calls counted on /metrics', async () => {
        const s = await sample.scrape();
        return sumOf(s, 'dynamo_requests_total', WORKER) === 12 &&
          sumOf(s, 'dynamo_concurrent_requests', WORKER) === 0
          ? s
          : undefined;
      });
      const scraped = nanos();
      pushed = await receiver.waitFor('an export collected after the scrape', (e) =>
        e.points.some((p) => p.time > scraped),
      );
    });

    after(async () => {
      await sample?.stop();
      await receiver?.stop();
    });

    it('pushes every family /metrics shows, with the same label sets and values', () => {
      assert.deepEqual(keyed(asSamples(pushed.points)), keyed(scrape.samples));
      const pushedNames = new Set(pushed.points.map((p) => p.name));
      assert.deepEqual([...pushedNames].sort(), Object.keys(familyTypes(scrape.text)).sort());
      // The totals of the traffic, as the worker and the frontend counted them.
      assert.equal(total(pushed, 'dynamo_requests_total', WORKER), 12);
      assert.equal(total(pushed, 'nv_llm_http_service_requests_total', { status: 'success' }), 10);
      assert.equal(total(pushed, 'nv_llm_http_service_requests_total', { status: 'error' }), 2);
      assert.equal(total(pushed, 'dynamo_errors_total', WORKER), 2);
    });

    it('maps counters to cumulative monotonic sums, gauges to gauges, histograms with their buckets', () => {
      const types = familyTypes(scrape.text);
      const expected: Record<string, string> = {
        counter: 'sum',
        gauge: 'gauge',
        histogram: 'histogram',
      };
      for (const p of pushed.points) {
        assert.equal(p.kind, expected[types[p.name]!], p.name);
        if (p.kind !== 'gauge') assert.equal(p.temporality, 2, `${p.name}: cumulative`);
        if (p.kind === 'sum') assert.equal(p.monotonic, true, p.name);
        if (p.kind === 'histogram')
          assert.equal(p.bucketCounts!.length, p.bounds!.length + 1, p.name);
      }
      const ttft = pushed.points.find(
        (p) => p.name === 'nv_llm_http_service_time_to_first_token_seconds',
      )!;
      assert.deepEqual(
        ttft.bounds,
        [0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 240, 480],
      );
    });

    it('keeps one start time for the process across exports, and moves the time on', async () => {
      const next = await receiver.waitFor('the export after', () => true, {
        from: receiver.exports.indexOf(pushed) + 1,
      });
      const starts = new Set(receiver.points().map((p) => p.start));
      assert.equal(starts.size, 1, `start times: ${[...starts].join(', ')}`);
      assert.ok(next.points[0]!.time > pushed.points[0]!.time);
      assert.ok([...starts][0]! < pushed.points[0]!.time);
    });

    it('sends the resource and the headers configured', () => {
      const { resource, headers } = pushed;
      assert.equal(resource['service.name'], 'sample-gateway');
      assert.equal(resource['deployment.environment'], 'test');
      assert.equal(resource.team, 'inference platform');
      assert.match(resource['service.instance.id']!, /^[0-9a-f-]{36}$/);
      assert.equal(resource['telemetry.sdk.language'], 'nodejs');
      assert.equal(headers['x-api-key'], 's3cret');
      if (protocol === 'http/json') {
        assert.equal(headers['content-encoding'], 'gzip');
        assert.match(pushed.contentType, /^application\/json/);
      }
      if (protocol === 'http/protobuf') assert.equal(pushed.contentType, 'application/x-protobuf');
    });

    it('says so in the start-up line', () => {
      const line = `pushed over OTLP (${protocol}) to ${receiver.endpoint} every 0.3 s`;
      assert.ok(sample.output().includes(line), sample.output());
    });
  });

  describe(`OTLP push at SIGTERM, ${protocol}`, { timeout: 60_000 }, () => {
    it('exports once more on shutdown, with the requests made just before the signal', async () => {
      const receiver = await OtlpReceiver.start(protocol);
      // No periodic export during the test: whatever arrives is the last one, at shutdown.
      const sample = await startSample({ env: otlpEnv(receiver, 600_000) });
      try {
        const statuses = await sendChats(sample.appPort, TRAFFIC.slice(0, 7), 7);
        assert.deepEqual([...statuses], [[200, 7]]);
        await sample.stop();
        assert.match(sample.output(), /Nest application successfully started/);
        assert.equal(
          sample.child.signalCode,
          'SIGTERM',
          'ended by the signal, not killed after the 5 s grace',
        );
        assert.equal(receiver.exports.length, 1, 'one export: the one at shutdown');
        assert.equal(total(receiver.exports[0]!, 'dynamo_requests_total', WORKER), 7);
        assert.equal(total(receiver.exports[0]!, 'nv_llm_http_service_requests_total'), 7);
      } finally {
        await sample.stop();
        await receiver.stop();
      }
    });

    it('does not let a collector that never answers hold the shutdown', async () => {
      const receiver = await OtlpReceiver.start(protocol);
      receiver.failWith = 'hang';
      const sample = await startSample({
        env: { ...otlpEnv(receiver, 600_000), OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '1000' },
      });
      try {
        await sample.stop();
        // stop() kills after 5 s: ended by the signal, the last export gave up in time.
        assert.equal(sample.child.signalCode, 'SIGTERM', sample.output());
        assert.equal(receiver.requests, 1);
        assert.ok(
          sample.output().includes(`OTLP export to ${receiver.endpoint} failed`),
          sample.output(),
        );
      } finally {
        await sample.stop();
        await receiver.stop();
      }
    });
  });
}
