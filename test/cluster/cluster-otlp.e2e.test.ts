import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { asSamples, OtlpReceiver, ReceivedExport } from '../support/otlp-receiver';
import { poll } from '../support/poll';
import { sumOf } from '../support/sample-process';
import { ClusterFixture, startClusterFixture } from './fixtures/cluster-process';

/**
 * Node cluster mode with OTLP push (README, "Pushing with OTLP"): each worker exports its own
 * series, told apart by the `worker` resource attribute and its own `service.instance.id`, and
 * the sums over the workers' latest exports are the totals the primary's /metrics serves.
 */

const N = 40;
const LABELS = { namespace: 'dynamo', component: 'fixture', endpoint: 'work' };

const requestsOf = (e: ReceivedExport) =>
  asSamples(e.points)
    .filter(
      (s) =>
        s.name === 'dynamo_requests_total' &&
        Object.entries(LABELS).every(([k, v]) => s.labels[k] === v),
    )
    .reduce((acc, s) => acc + s.value, 0);

describe('cluster mode: every worker pushes its own series over OTLP', () => {
  let receiver: OtlpReceiver;
  let fixture: ClusterFixture;

  before(async () => {
    receiver = await OtlpReceiver.start('http/protobuf');
    fixture = await startClusterFixture({
      FIXTURE_WORKERS: '2',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.endpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_SERVICE_NAME: 'fixture',
    });
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < N) {
          sent++;
          const reply = await http(fixture.ready.appPort, 'GET', '/work');
          assert.equal(reply.status, 200, reply.text);
        }
      }),
    );
  });

  after(async () => {
    await fixture?.stop();
    await receiver?.stop();
  });

  it("labels each worker, and the latest exports add up to the primary's totals", async () => {
    const latest = await poll('both workers pushing their share of the requests', () => {
      const byWorker = new Map<string, ReceivedExport>();
      for (const e of receiver.exports) byWorker.set(e.resource.worker ?? '(none)', e);
      const total = [...byWorker.values()].reduce((acc, e) => acc + requestsOf(e), 0);
      return byWorker.size === 2 && total === N ? byWorker : undefined;
    });
    assert.deepEqual([...latest.keys()].sort(), ['1', '2']);
    const [one, two] = [latest.get('1')!, latest.get('2')!];
    assert.ok(requestsOf(one) > 0 && requestsOf(two) > 0, 'both workers served requests');
    assert.notEqual(one.resource['service.instance.id'], two.resource['service.instance.id']);
    assert.equal(one.resource['service.name'], 'fixture');
    const merged = new Scrape((await http(fixture.ready.metricsPort, 'GET', '/metrics')).text);
    assert.equal(sumOf(merged, 'dynamo_requests_total', LABELS), N);
  });
});
