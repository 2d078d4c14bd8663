import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http, openStream, pendingRequest } from '../support/http-client';
import {
  closeApp,
  PLATFORMS,
  scrape,
  startApp,
  StartedApp,
  SUITE_TIMEOUT_MS,
} from '../support/nest-app';
import { poll } from '../support/poll';
import { ACTIVE, countOf, httpAppModule, resetSlow, series, slow } from './fixtures/http-app';

/**
 * A request whose client leaves before its response completes is recorded once, when its
 * connection closes, with `error_type="cancelled"` (and the status, if one was sent);
 * `http_server_active_requests` comes back to 0, never below, whatever the handler does after.
 */
for (const platform of PLATFORMS) {
  describe(
    `HTTP server metrics, aborted requests (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let started: StartedApp;
      const active = async () =>
        (await scrape(started.app)).find(ACTIVE, { http_request_method: 'GET' }) ?? 0;

      before(async () => {
        started = await startApp(platform, httpAppModule());
      });
      after(() => closeApp(started?.app));

      /**
       * The aborted request is recorded in `cancelled`, and nothing more once its handler
       * returns into the closed connection; no request is left active.
       */
      async function recordedOnce(cancelled: Record<string, string>): Promise<void> {
        await poll(
          'the abort to be recorded',
          async () => countOf(await scrape(started.app), cancelled) === 1,
        );
        assert.equal(await active(), 0);
        slow.gate.open();
        assert.equal((await http(started.port, 'GET', '/v1/models')).status, 200);
        const s = await scrape(started.app);
        const route = { http_route: cancelled.http_route! };
        assert.deepEqual(
          s.matching('http_server_request_duration_seconds_count', route).map((x) => x.labels),
          [cancelled],
        );
        assert.equal(countOf(s, cancelled), 1);
        assert.equal(await active(), 0);
      }

      it('before any response: no status, error_type="cancelled", active back to 0', async () => {
        const pending = pendingRequest(started.port, 'GET', '/v1/slow');
        await poll('the handler to hold the request', () => slow.entered === 1);
        assert.equal(await active(), 1);
        pending.abort();
        assert.ok((await pending.settled) instanceof Error);
        await recordedOnce(series('GET', '/v1/slow', '', 'cancelled'));
      });

      it('mid-stream: the status sent, error_type="cancelled"', async () => {
        resetSlow();
        const stream = await openStream(started.port, '/v1/stream', (text) =>
          text.includes('first'),
        );
        assert.equal(await active(), 1);
        stream.abort();
        await recordedOnce(series('GET', '/v1/stream', 200, 'cancelled'));
      });

      it('100 requests aborted at random moments leave no request active', async () => {
        resetSlow();
        const pendings = Array.from({ length: 100 }, (_, i) =>
          pendingRequest(started.port, 'GET', i % 2 ? '/v1/slow' : '/v1/stream'),
        );
        await poll('every handler to be holding', () => slow.entered === 100);
        pendings.forEach((p, i) => i % 3 !== 0 && p.abort());
        slow.gate.open();
        await Promise.all(pendings.map((p) => p.settled));
        await poll('every request to be recorded', async () => {
          const s = await scrape(started.app);
          const total = s
            .matching('http_server_request_duration_seconds_count')
            .filter(
              (x) => x.labels.http_route === '/v1/slow' || x.labels.http_route === '/v1/stream',
            )
            .reduce((sum, x) => sum + x.value, 0);
          return total >= 100 + 2;
        });
        assert.equal(await active(), 0);
      });
    },
  );
}
