import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { OtlpProtocol } from '../../src/internal';
import { chatBody, sendChats } from '../support/chat-load';
import { getPath } from '../support/http-client';
import { asSamples, OtlpReceiver, ReceivedExport } from '../support/otlp-receiver';
import { poll } from '../support/poll';
import { startSample, sumOf } from '../support/sample-process';

/**
 * A collector that is down, then up but never answering, then answering errors, then healthy
 * again, in each protocol:
 * the sample app keeps serving throughout, counts every failed export, says so once when the
 * outage starts and once when it ends, and the data arrives once the collector is back.
 */

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf', 'grpc'];
const FAILURES = 'dynamo_otlp_export_failures_total';
const WORKER = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };

const occurrences = (text: string, fragment: string) => text.split(fragment).length - 1;

const pushedValue = (e: ReceivedExport, name: string, match: Record<string, string> = {}) =>
  asSamples(e.points)
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);

for (const protocol of PROTOCOLS) {
  describe(
    `OTLP push to a collector that is down, then failing, then back, ${protocol}`,
    { timeout: 90_000 },
    () => {
      it('serves on, counts the failures, logs the outage once, and delivers once it is back', async () => {
        const receiver = await OtlpReceiver.start(protocol);
        await receiver.stop();
        const sample = await startSample({
          env: {
            OTEL_METRICS_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.endpoint,
            OTEL_METRIC_EXPORT_INTERVAL: '250',
          },
        });
        const failing = `OTLP export to ${receiver.endpoint} failed`;
        const recovered = `OTLP export to ${receiver.endpoint} works again`;
        const failures = async () =>
          sumOf(await sample.scrape(), FAILURES, { namespace: 'dynamo' });
        try {
          // Down: nothing listens on the port.
          await poll('three failed exports', async () => (await failures()) >= 3, {
            timeoutMs: 15_000,
          });
          assert.equal((await getPath(sample.systemPort!, '/health')).status, 200);
          assert.deepEqual(
            [...(await sendChats(sample.appPort, Array(4).fill(chatBody('demo')), 2))],
            [[200, 4]],
          );
          const down = await failures();

          // Up, but never answering: each request ends at its deadline, the app serving meanwhile.
          receiver.failWith = 'hang';
          await receiver.listen();
          await poll('two more failed exports', async () => (await failures()) >= down + 2, {
            timeoutMs: 20_000,
          });
          assert.equal((await getPath(sample.systemPort!, '/health')).status, 200);
          const slow = await failures();

          // Up, but answering errors: still the same outage.
          receiver.failWith = protocol === 'grpc' ? GrpcStatus.UNAVAILABLE : 500;
          await poll('two more failed exports', async () => (await failures()) >= slow + 2, {
            timeoutMs: 20_000,
          });
          assert.equal(receiver.exports.length, 0);

          // Healthy: the data arrives, with the failures counted so far.
          receiver.failWith = undefined;
          const delivered = await receiver.waitFor(
            'an export with the traffic',
            (e) => pushedValue(e, 'dynamo_requests_total', WORKER) === 4,
            { timeoutMs: 20_000 },
          );
          assert.ok(
            pushedValue(delivered, FAILURES) >= slow + 2,
            `${pushedValue(delivered, FAILURES)} failures pushed`,
          );
          await poll(
            'the line saying exports work again',
            () => sample.output().includes(recovered),
            { timeoutMs: 5000 },
          );
          const output = sample.output();
          assert.equal(occurrences(output, failing), 1, output);
          assert.equal(occurrences(output, recovered), 1, output);
          assert.ok(output.includes(`Failures are counted in ${FAILURES}`), output);
          assert.equal(sample.child.exitCode, null, 'still running');
        } finally {
          await sample.stop();
          await receiver.stop();
        }
      });
    },
  );
}
