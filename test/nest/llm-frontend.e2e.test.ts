import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { withEnv } from '../support/env';
import { Scrape } from '../support/exposition-parser';
import {
  getPath,
  HttpResult,
  postAndAbortAfterEvents,
  postJson,
  sseData,
} from '../support/http-client';
import { closeApp, PLATFORMS, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { poll } from '../support/poll';
import { ChatBody, llmFrontendModule } from './fixtures/llm-frontend-app';

/**
 * `@LlmFrontendEndpoint()` in process, on real Express and Fastify servers: the README's
 * "LLM frontend metrics" semantics, read from the app's own GET /metrics. Each test uses a model
 * of its own, so its series start at zero.
 */

const P = 'nv_llm_http_service';
const PATH = '/v1/chat/completions';
const EXPOSURE = { DYN_SYSTEM_ENABLED: 'true' } as const;

type Status = 'success' | 'error';
type RequestType = 'unary' | 'stream';

/** The frontend series of one model, as exact numbers. */
interface ModelMetrics {
  requests: Record<`${RequestType}/${Status}`, number>;
  inflight: number;
  durationCount: number;
  inputCount: number;
  inputSum: number;
  outputCount: number;
  outputSum: number;
  ttftCount: number;
  itlCount: number;
}

function modelMetrics(s: Scrape, model: string): ModelMetrics {
  const requests = (request_type: RequestType, status: Status) =>
    s.find(`${P}_requests_total`, { model, endpoint: 'chat_completions', request_type, status }) ??
    0;
  const m = (name: string) => s.find(`${P}_${name}`, { model }) ?? 0;
  return {
    requests: {
      'unary/success': requests('unary', 'success'),
      'unary/error': requests('unary', 'error'),
      'stream/success': requests('stream', 'success'),
      'stream/error': requests('stream', 'error'),
    },
    inflight: m('inflight_requests'),
    durationCount: m('request_duration_seconds_count'),
    inputCount: m('input_sequence_tokens_count'),
    inputSum: m('input_sequence_tokens_sum'),
    outputCount: m('output_sequence_tokens_count'),
    outputSum: m('output_sequence_tokens_sum'),
    ttftCount: m('time_to_first_token_seconds_count'),
    itlCount: m('inter_token_latency_seconds_count'),
  };
}

const NONE: ModelMetrics = {
  requests: { 'unary/success': 0, 'unary/error': 0, 'stream/success': 0, 'stream/error': 0 },
  inflight: 0,
  durationCount: 0,
  inputCount: 0,
  inputSum: 0,
  outputCount: 0,
  outputSum: 0,
  ttftCount: 0,
  itlCount: 0,
};

/** One finished request of `type`/`status`: duration observed once, in-flight back to 0. */
const ended = (
  type: RequestType,
  status: Status,
  rest: Partial<Omit<ModelMetrics, 'requests'>> = {},
): ModelMetrics => ({
  ...NONE,
  durationCount: 1,
  ...rest,
  requests: { ...NONE.requests, [`${type}/${status}`]: 1 },
});

for (const platform of PLATFORMS) {
  describe(`@LlmFrontendEndpoint on HTTP (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let app: INestApplication;
    let port: number;

    before(async () => {
      ({ app, port } = await withEnv(EXPOSURE, () => startApp(platform, llmFrontendModule())));
    });

    after(() => withEnv(EXPOSURE, () => closeApp(app)));

    async function metrics(): Promise<Scrape> {
      const res = await getPath(port, '/metrics');
      assert.equal(res.status, 200, res.text);
      return new Scrape(res.text);
    }

    /** The model's metrics once `done` says the request has ended on the server. */
    const settled = (
      model: string,
      done: (m: ModelMetrics) => boolean = (m) => m.durationCount > 0,
    ) =>
      poll(`the request of ${model} to end`, async () => {
        const m = modelMetrics(await metrics(), model);
        return done(m) && m;
      });

    const chat = (body: ChatBody): Promise<HttpResult> => postJson(port, PATH, body);

    it('unary: counted once as success, model lower-cased, tokens from usage, no TTFT/ITL', async () => {
      const res = await chat({
        model: 'Unary-Model',
        words: ['Hel', 'lo', ' wörld'],
        promptTokens: 7,
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.equal(res.status, 200, res.text);
      const reply = JSON.parse(res.text) as { choices: Array<{ message: { content: string } }> };
      assert.equal(reply.choices[0]!.message.content, 'Hello wörld');
      const m = await settled('unary-model');
      assert.deepEqual(
        m,
        ended('unary', 'success', { inputCount: 1, inputSum: 7, outputCount: 1, outputSum: 3 }),
      );
      const s = await metrics();
      assert.deepEqual(
        s.samples.filter((x) => x.name.startsWith(P) && x.labels.model === 'Unary-Model'),
        [],
        'no series under the model name as sent',
      );
      // The input histogram put 7 tokens in the bucket of 50 and up.
      assert.equal(
        s.get(`${P}_input_sequence_tokens_bucket`, { model: 'unary-model', le: '0' }),
        0,
      );
      assert.equal(
        s.get(`${P}_input_sequence_tokens_bucket`, { model: 'unary-model', le: '50' }),
        1,
      );
    });

    for (const source of ['observable', 'iterable'] as const) {
      it(`stream (${source}): SSE chunks then [DONE]; TTFT once, ITL tokens-1, output tokens counted`, async () => {
        const model = `stream-${source}`;
        const words = ['a', 'b', 'c', 'd', 'e'];
        const res = await chat({ model, stream: true, source, words });
        assert.equal(res.status, 200, res.text);
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        const data = sseData(res.text);
        assert.equal(data.at(-1), '[DONE]');
        assert.deepEqual(
          data
            .slice(0, -1)
            .map(
              (d) =>
                (JSON.parse(d) as { choices: Array<{ delta: { content: string } }> }).choices[0]!
                  .delta.content,
            ),
          words,
        );
        const m = await settled(model);
        // No usage in the stream: output tokens are the token-carrying chunks, input unknown.
        assert.deepEqual(
          m,
          ended('stream', 'success', {
            outputCount: 1,
            outputSum: words.length,
            ttftCount: 1,
            itlCount: words.length - 1,
          }),
        );
      });
    }

    it('stream with usage in its last chunk: token histograms from usage', async () => {
      const res = await chat({
        model: 'Stream-Usage',
        stream: true,
        words: ['x', 'y', 'z'],
        promptTokens: 60,
        streamUsage: true,
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        await settled('stream-usage'),
        ended('stream', 'success', {
          inputCount: 1,
          inputSum: 60,
          outputCount: 1,
          outputSum: 3,
          ttftCount: 1,
          itlCount: 2,
        }),
      );
      const s = await metrics();
      assert.equal(
        s.get(`${P}_input_sequence_tokens_bucket`, { model: 'stream-usage', le: '50' }),
        0,
      );
      assert.equal(
        s.get(`${P}_input_sequence_tokens_bucket`, { model: 'stream-usage', le: '100' }),
        1,
      );
    });

    it('a streamed request: TTFT + ITL sums fit in its duration', async () => {
      const res = await chat({ model: 'stream-timing', stream: true, words: ['1', '2', '3', '4'] });
      assert.equal(res.status, 200);
      await settled('stream-timing');
      const s = await metrics();
      const sum = (name: string) => s.get(`${P}_${name}_sum`, { model: 'stream-timing' });
      const ttft = sum('time_to_first_token_seconds');
      const itl = sum('inter_token_latency_seconds');
      assert.ok(ttft > 0, `TTFT ${ttft}`);
      assert.ok(itl > 0, `ITL ${itl}`);
      assert.ok(ttft + itl <= sum('request_duration_seconds'), `${ttft} + ${itl} s`);
    });

    it('a handler error: status="error", in-flight back to 0', async () => {
      const res = await chat({ model: 'Throwing-Model', behaviour: 'throw' });
      assert.equal(res.status, 500);
      assert.deepEqual(await settled('throwing-model'), ended('unary', 'error'));
    });

    it('a stream that fails mid-way: status="error", TTFT for its one token', async () => {
      const res = await chat({
        model: 'Failing-Stream',
        stream: true,
        behaviour: 'fail-mid-stream',
        words: ['only'],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        await settled('failing-stream'),
        ended('stream', 'error', { outputCount: 1, outputSum: 1, ttftCount: 1 }),
      );
    });

    it('a client that leaves mid-stream: status="error", in-flight back to 0', async () => {
      const model = 'leaving-client';
      const received = await postAndAbortAfterEvents(port, PATH, {
        model,
        stream: true,
        behaviour: 'endless',
      });
      assert.equal(sseData(received).length, 1, received);
      const m = await settled(model);
      // The chunks sent before the server saw the client leave carried one token each.
      assert.ok(m.outputSum >= 1, `${m.outputSum} tokens`);
      assert.deepEqual(
        m,
        ended('stream', 'error', {
          outputCount: 1,
          outputSum: m.outputSum,
          ttftCount: 1,
          itlCount: m.outputSum - 1,
        }),
      );
    });

    it('a 4xx HttpException (refused request) is not counted', async () => {
      const res = await chat({ model: 'Refused-Model', behaviour: 'refuse' });
      assert.equal(res.status, 400);
      assert.match(JSON.parse(res.text).message, /unknown model Refused-Model/);
      // A later request of another model shows the refusal left nothing behind.
      await chat({ model: 'after-refusal' });
      await settled('after-refusal');
      const s = await metrics();
      assert.deepEqual(modelMetrics(s, 'refused-model'), NONE);
      // Its series exist (resolved when the request started) but hold nothing, and no request
      // of it is counted under any status.
      const own = s.samples.filter((x) => x.labels.model === 'refused-model');
      assert.ok(own.length > 0);
      assert.deepEqual(
        own.filter((x) => x.value !== 0 || x.name === `${P}_requests_total`),
        [],
      );
    });
  });
}
