import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { FRONTEND_ERROR_TYPES } from '../../src/internal';
import { CHARTED_ERROR_TYPES } from '../../src/core/frontend-naming';
import { HttpResult, postAndAbortAfterEvents, postJson, sseData } from '../support/http-client';
import { closeApp, PLATFORMS, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { poll } from '../support/poll';
import { ComponentChatBody, componentFrontendModule } from './fixtures/component-frontend-app';

/**
 * Every `error_type` of the README's table, produced on purpose against real Express and
 * Fastify servers: each case uses a model of its own and must land in exactly one series.
 */

const PATH = '/v1/chat/completions';
const DEADLINE_MS = 150;

interface Case {
  errorType: string;
  body: Omit<ComponentChatBody, 'model'>;
  /** What the client sees. */
  check(res: HttpResult): void;
  /** Abort the stream after the first event (a client that went away). */
  abort?: boolean;
}

const status = (code: number) => (res: HttpResult) => assert.equal(res.status, code, res.text);
/** A stream that started (200) and then ended in one OpenAI error event, without [DONE]. */
const streamError = (code: string | null) => (res: HttpResult) => {
  assert.equal(res.status, 200);
  const events = sseData(res.text);
  const last = JSON.parse(events.at(-1)!) as { error: { code: unknown } };
  assert.equal(last.error.code, code, res.text);
  assert.equal(events.includes('[DONE]'), false);
};

const CASES: Case[] = [
  { errorType: 'validation', body: { status: 422 }, check: status(422) },
  { errorType: 'not_found', body: { status: 404 }, check: status(404) },
  { errorType: 'overload', body: { status: 429 }, check: status(429) },
  { errorType: 'unavailable', body: { status: 503 }, check: status(503) },
  { errorType: 'not_implemented', body: { status: 501 }, check: status(501) },
  { errorType: 'backend_error', body: { status: 502 }, check: status(502) },
  { errorType: 'response_timeout', body: { status: 504 }, check: status(504) },
  { errorType: 'internal', body: { errorName: 'Error' }, check: status(500) },
  {
    errorType: 'first_token_timeout',
    body: { stream: true, firstMs: DEADLINE_MS * 3 },
    check: (res) => {
      // Nothing was sent yet: the deadline is a 504 with an OpenAI error body.
      assert.equal(res.status, 504, res.text);
      assert.equal(JSON.parse(res.text).error.code, 'first_token_timeout', res.text);
    },
  },
  {
    errorType: 'intra_token_timeout',
    body: { stream: true, stallAfterFirst: true },
    check: streamError('intra_token_timeout'),
  },
  {
    errorType: 'truncated_stream',
    body: { stream: true, failAfterFirst: true },
    check: streamError(null),
  },
  {
    errorType: 'cancelled',
    body: { stream: true, words: ['1', '2', '3', '4'], gapMs: 40 },
    check: () => undefined,
    abort: true,
  },
];

for (const platform of PLATFORMS) {
  describe(
    `component frontend: every error_type (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let app: INestApplication | undefined;
      let port = 0;
      before(async () => {
        const module = componentFrontendModule({
          frontend: { firstTokenTimeoutMs: DEADLINE_MS, interTokenTimeoutMs: DEADLINE_MS },
        });
        ({ app, port } = await startApp(platform, module));
      });
      after(() => closeApp(app));

      it('the table covers the whole set', () => {
        assert.deepEqual(CASES.map((c) => c.errorType).sort(), [...FRONTEND_ERROR_TYPES].sort());
      });

      for (const c of CASES) {
        it(`${c.errorType}: ${JSON.stringify(c.body)}`, async () => {
          const model = `m-${c.errorType}`;
          const body = { model, ...c.body };
          if (c.abort) await postAndAbortAfterEvents(port, PATH, body, 1);
          else c.check(await postJson(port, PATH, body));
          const s = await poll(
            'the request to end',
            async () => {
              const x = await scrape(app!);
              return x.find('dynamo_frontend_inflight_requests', {
                dynamo_namespace: 'dynamo',
                model,
              }) === 0
                ? x
                : undefined;
            },
            { timeoutMs: 5000, intervalMs: 20 },
          );
          const counted = s
            .matching('dynamo_frontend_requests_total', { model })
            .filter((x) => x.value > 0)
            .map((x) => [x.labels.status, x.labels.error_type, x.value]);
          assert.deepEqual(counted, [['error', c.errorType, 1]]);
          // Exported from the first request on: success and the 6 error types Dynamo's dashboard
          // charts; any other type once it occurs.
          const charted = (CHARTED_ERROR_TYPES as readonly string[]).includes(c.errorType) ? 0 : 1;
          assert.equal(s.matching('dynamo_frontend_requests_total', { model }).length, 7 + charted);
        });
      }

      it('an error named TimeoutError (AbortSignal.timeout()) is a response_timeout', async () => {
        const model = 'm-timeout-error';
        status(500)(await postJson(port, PATH, { model, errorName: 'TimeoutError' }));
        const s = await scrape(app!);
        const labels = { status: 'error', error_type: 'response_timeout' };
        assert.equal(
          s.matching('dynamo_frontend_requests_total', { model, ...labels })[0]?.value,
          1,
        );
      });
    },
  );
}
