import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../../src/internal';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { poll } from '../support/poll';
import { Ready, startClusterFixture } from './fixtures/cluster-process';

/**
 * Node cluster mode with real processes: a primary that runs startClusterMetricsServer() and
 * two Nest workers (DynamoMetricsModule with `cluster: { worker: true }`) sharing one app port,
 * plus one worker that runs no metrics. Requests go to the shared port on fresh connections
 * (the primary hands them out round-robin); the primary's /metrics must show the totals.
 */

const N = 60;
const LABELS = { namespace: 'dynamo', component: 'fixture', endpoint: 'work' };

/** One GET on its own connection (no keep-alive), so the cluster spreads them over workers. */
const get = (port: number, path: string, headers: Record<string, string> = {}) =>
  http(port, 'GET', path, undefined, headers, { timeoutMs: 5000 });

describe('cluster mode: the primary serves the totals of all workers', () => {
  let ready: Ready;
  let stop: (() => Promise<void>) | undefined;
  const perPid = new Map<number, number>();
  /** Each worker's runtime uptime as its last reply reported it, and when that request was sent. */
  const lastUptime = new Map<number, { uptime: number; sentAt: number }>();
  /** Body bytes of all replies to /work. */
  let replyBytes = 0;

  before(async () => {
    const fixture = await startClusterFixture({ FIXTURE_WORKERS: '2', FIXTURE_IDLE_WORKER: '1' });
    ({ ready, stop } = fixture);
    // Bounded load: N requests, 6 at a time, each on a new connection.
    let sent = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (sent < N) {
          sent++;
          const sentAt = Date.now();
          const reply = await get(ready.appPort, '/work');
          replyBytes += reply.received;
          assert.equal(reply.status, 200, reply.text);
          const { pid, uptime } = JSON.parse(reply.text) as { pid: number; uptime: number };
          perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
          lastUptime.set(pid, { uptime, sentAt });
        }
      }),
    );
  });

  after(() => stop?.());

  it('both Nest workers served requests (so a single worker could not have the total)', () => {
    assert.deepEqual([...perPid.keys()].sort(), [...ready.workerPids].sort());
    for (const [pid, count] of perPid) assert.ok(count > 0 && count < N, `worker ${pid}: ${count}`);
  });

  it('the text scrape shows the sums over workers: requests = N, concurrency 0', async (t) => {
    const reply = await get(ready.metricsPort, '/metrics');
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers['content-type'], PROMETHEUS_CONTENT_TYPE);
    const s = new Scrape(reply.text);
    assert.equal(s.get('dynamo_requests_total', LABELS), N);
    assert.equal(s.get('dynamo_concurrent_requests', LABELS), 0);
    assert.equal(s.get('dynamo_request_duration_seconds_count', LABELS), N);
    assert.equal(s.get('dynamo_request_duration_seconds_bucket', { ...LABELS, le: '+Inf' }), N);
    assert.equal(s.get('dynamo_errors_total', { ...LABELS, error_type: 'handler_error' }), 0);
    assert.equal(s.get('dynamo_response_bytes_total', LABELS), replyBytes);
    // The global prom-client registry is included (includeGlobalRegistry defaults to true).
    assert.equal(s.get('fixture_work_total'), N);
    // Label sets that prom-client's own cluster hashing merges stay apart: one per worker each.
    assert.equal(s.get('dynamo_fixture_tricky_total', { a: '1,b:2', b: '' }), 2);
    assert.equal(s.get('dynamo_fixture_tricky_total', { a: '1', b: '2,b:' }), 2);
    // Uptime is merged with `max`, not summed: at least the larger reported uptime, at most
    // what the older worker can have reached since its last request was sent; a sum would be
    // at least the sum of the reported uptimes.
    const uptime = s.get('dynamo_system_uptime_seconds', { namespace: 'dynamo' });
    const now = Date.now();
    const reported = [...lastUptime.values()];
    const lowest = Math.max(...reported.map((u) => u.uptime));
    const highest = Math.max(...reported.map((u) => u.uptime + (now - u.sentAt) / 1000));
    const sum = reported.reduce((a, u) => a + u.uptime, 0);
    const why = `uptime ${uptime}, reported ${JSON.stringify(reported)}, now ${now}`;
    assert.ok(uptime >= lowest && uptime <= highest, why);
    assert.ok(uptime < sum, why);
    const promtool = requireBinary(t, 'promtool');
    if (promtool) {
      const check = promtoolCheckMetrics(promtool, reply.text);
      assert.equal(check.status, 0, check.output);
    }
  });

  it('negotiates OpenMetrics for the merged output', async () => {
    const reply = await get(ready.metricsPort, '/metrics', {
      accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], OPENMETRICS_CONTENT_TYPE);
    assert.ok(reply.text.endsWith('# EOF\n'));
    assert.match(reply.text, /^# TYPE dynamo_requests counter$/m);
    const samples = new Scrape(reply.text);
    assert.equal(samples.get('dynamo_requests_total', LABELS), N);
  });

  it("prom-client's own AggregatorRegistry can read runtime.promRegistry() (compatibility)", async () => {
    const reply = await get(ready.promClientPort, '/');
    assert.equal(reply.status, 200, reply.text);
    const s = new Scrape(reply.text);
    assert.equal(s.get('dynamo_requests_total', LABELS), N);
    assert.equal(s.get('dynamo_concurrent_requests', LABELS), 0);
  });

  it('serves /live and /health; the worker without metrics is not waited for', async () => {
    assert.equal((await get(ready.metricsPort, '/live')).status, 200);
    const health = await get(ready.metricsPort, '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.text), { status: 'ready', workers: 2 });
    assert.equal((await get(ready.metricsPort, '/nope')).status, 404);
  });

  it('a worker killed with SIGKILL mid-traffic: merged counters never go down, gauges leave with it', async () => {
    const [victim, survivor] = ready.workerPids as [number, number];
    const requests = async () =>
      new Scrape((await get(ready.metricsPort, '/metrics')).text).get(
        'dynamo_requests_total',
        LABELS,
      );
    let stop = false;
    const served = new Map<number, number>();
    const traffic = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop) {
          // Requests in flight on the victim when it dies fail: not counted as served.
          const reply = await get(ready.appPort, '/work').catch(() => undefined);
          if (reply?.status !== 200) continue;
          const { pid } = JSON.parse(reply.text) as { pid: number };
          served.set(pid, (served.get(pid) ?? 0) + 1);
        }
      }),
    );
    const seen: number[] = [];
    const scrapeFor = async (ms: number) => {
      for (const until = Date.now() + ms; Date.now() < until;) {
        seen.push(await requests());
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await scrapeFor(400);
    const beforeKill = await requests();
    const survivorAtKill = served.get(survivor) ?? 0;
    process.kill(victim, 'SIGKILL');
    await poll(
      'the primary to forget the dead worker',
      async () => {
        const body = JSON.parse((await get(ready.metricsPort, '/health')).text) as {
          workers: number;
        };
        return body.workers === 1 ? true : undefined;
      },
      { intervalMs: 50 },
    );
    await scrapeFor(400);
    stop = true;
    await traffic;
    const reply = await get(ready.metricsPort, '/metrics');
    const s = new Scrape(reply.text);
    const final = s.get('dynamo_requests_total', LABELS);
    seen.push(final);
    const drops = seen.flatMap((v, i) =>
      i > 0 && v < seen[i - 1]! ? [`${seen[i - 1]} -> ${v}`] : [],
    );
    assert.deepEqual(drops, [], `scrapes: ${seen.join(', ')}`);
    assert.ok(served.get(survivor)! > 0, 'the survivor served during the test');
    // Everything counted before the kill stays, and the survivor's new requests add to it.
    const sent = N + [...served.values()].reduce((a, b) => a + b, 0);
    // Everything counted before the kill stays, and the survivor's later requests add to it
    // (less at most the 4 requests in flight at that scrape, counted at entry, served after).
    const after = (served.get(survivor) ?? 0) - survivorAtKill;
    assert.ok(
      final >= beforeKill + after - 4,
      `final ${final}, before ${beforeKill}, after ${after}`,
    );
    assert.ok(
      final <= sent + 4,
      `final ${final} of at most ${sent} sent (+4 in flight on the victim)`,
    );
    // The victim's gauge is gone; the survivor's is back at 0; durations never exceed requests.
    assert.equal(s.get('dynamo_concurrent_requests', LABELS), 0);
    assert.ok(s.get('dynamo_request_duration_seconds_count', LABELS) <= final);
  });
});
