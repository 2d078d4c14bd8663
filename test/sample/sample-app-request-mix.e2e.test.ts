import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { Scrape } from '../support/exposition-parser';
import { getPath, HttpResult, sseData } from '../support/http-client';
import { listSeries, SampleProcess, sumOf } from '../support/sample-process';
import {
  DELAY_MS,
  FRONTEND,
  CHAT,
  WORKER,
  Outcome,
  endpointOf,
  promptOf,
  modelOf,
  SPECS,
  INVALID,
  tokensOf,
  bytes,
  abortStreamed,
  streamedTokens,
  generatedTokens,
  isStream,
  succeeded,
  group,
  runRequestMix,
} from './fixtures/request-mix';

/**
 * The compiled sample app (dist/sample-app/main.js) as a real child process on loopback, on
 * Express and on Fastify: a known mix of unary, streamed, failing (`sample-fail`), client-aborted
 * and invalid OpenAI requests, then the exact values of the frontend (`nv_llm_http_service_*`),
 * worker (`dynamo_*` of backend/generate) and custom metrics its /metrics serves.
 */

for (const platform of ['express', 'fastify'] as const) {
  describe(`sample app on ${platform}: exact metrics after a known request mix`, () => {
    let app: SampleProcess;
    let outcomes: Outcome[] = [];
    let invalid: HttpResult[] = [];
    let s: Scrape;
    const models = [...new Set(SPECS.map(modelOf))];

    before(async () => {
      ({ app, outcomes, invalid, s } = await runRequestMix(platform));
    });

    after(async () => {
      await app?.stop();
    });

    it('aborted streams stop early; what they streamed matches what the client saw', () => {
      for (const { spec, abortedText } of outcomes.filter((o) => o.spec.kind === 'abort')) {
        const model = modelOf(spec);
        const streamed = abortStreamed.get(model)!;
        const seen = sseData(abortedText!).filter((e) => /"(content|text)":"[^"]/.test(e)).length;
        assert.ok(
          streamed >= seen && streamed <= 10,
          `${model}: ${streamed} token chunks streamed, the client saw ${seen} before leaving`,
        );
        assert.equal(s.get(`${FRONTEND}_output_sequence_tokens_count`, { model }), 1, model);
      }
      // The completions aborts saw a token, so they count one at least.
      assert.ok(abortStreamed.get('abort-text-1')! >= 1 && abortStreamed.get('abort-text-2')! >= 1);
    });

    it('answers every request as expected (unary usage, SSE framing, 500 for sample-fail)', async () => {
      for (const { spec, result, abortedText } of outcomes) {
        const what = `${spec.kind} ${spec.path} ${JSON.stringify(spec.body)}`;
        const n = spec.body.max_tokens as number;
        const expectedText = (await tokensOf(n)).join('');
        if (spec.kind === 'abort') {
          assert.equal(sseData(abortedText!).length, 1, `${what}: one event before the abort`);
          continue;
        }
        if (spec.kind === 'abort-unary') continue;
        assert.ok(result?.complete, `${what}: the response ended, the connection was not cut`);
        if (spec.kind === 'unary') {
          assert.equal(result.status, 200, `${what}: ${result.text}`);
          const body = JSON.parse(result.text) as {
            object: string;
            model: string;
            choices: Array<{ message?: { content: string }; text?: string }>;
            usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
          };
          assert.equal(body.object, spec.path === CHAT ? 'chat.completion' : 'text_completion');
          assert.equal(body.model, spec.body.model);
          const content = body.choices[0]?.message?.content ?? body.choices[0]?.text;
          assert.equal(content, expectedText, what);
          assert.equal(body.usage.completion_tokens, n, `${what}: usage`);
          assert.ok(body.usage.prompt_tokens > 0, `${what}: usage`);
          assert.equal(
            body.usage.total_tokens,
            body.usage.prompt_tokens + body.usage.completion_tokens,
          );
        } else if (spec.kind === 'stream') {
          assert.equal(result.status, 200, `${what}: ${result.text}`);
          assert.match(String(result.headers['content-type']), /^text\/event-stream/, what);
          assert.ok(result.complete, `${what}: the stream ended normally`);
          assert.ok(result.text.endsWith('data: [DONE]\n\n'), `${what}: ends with [DONE]`);
          const events = sseData(result.text);
          assert.equal(events.at(-1), '[DONE]');
          const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, never>);
          const streamed = chunks
            .map((c: { choices?: Array<{ delta?: { content?: string }; text?: string }> }) =>
              (c.choices ?? []).map((ch) => ch.delta?.content ?? ch.text ?? '').join(''),
            )
            .join('');
          assert.equal(streamed, expectedText, what);
          const usage = (chunks.at(-1) as { usage?: { completion_tokens: number } }).usage;
          assert.equal(usage?.completion_tokens, n, `${what}: last chunk carries usage`);
        } else if (spec.kind === 'fail-unary') {
          assert.equal(result.status, 500, `${what}: ${result.text}`);
          assert.equal(
            (JSON.parse(result.text) as { error: { type: string } }).error.type,
            'server_error',
          );
        } else {
          // Headers went out with the first chunk: 200, then one OpenAI error event, no [DONE].
          assert.equal(result.status, 200, what);
          assert.ok(
            !result.text.includes('[DONE]'),
            `${what}: a failed stream must not end in [DONE]`,
          );
          assert.ok(result.text.includes('"Hello"'), `${what}: the first token was sent`);
          assert.deepEqual(
            JSON.parse(sseData(result.text).at(-1)!),
            {
              error: {
                message: 'Internal server error',
                type: 'server_error',
                param: null,
                code: null,
              },
            },
            `${what}: ends with an OpenAI error event`,
          );
        }
      }
      for (const [i, res] of invalid.entries()) {
        assert.equal(res.status, 400, `invalid request ${INVALID[i]!.body}: ${res.text}`);
      }
    });

    it('nv_llm_http_service_requests_total: exact series by model, endpoint, request_type, status', () => {
      const want: Record<string, number> = {};
      for (const spec of SPECS) {
        const key = JSON.stringify({
          model: modelOf(spec),
          endpoint: endpointOf(spec.path),
          request_type: isStream(spec) ? 'stream' : 'unary',
          status: succeeded(spec) ? 'success' : 'error',
        });
        want[key] = (want[key] ?? 0) + 1;
      }
      const got: Record<string, number> = {};
      for (const sample of s.samples.filter((x) => x.name === `${FRONTEND}_requests_total`)) {
        const { model, endpoint, request_type, status } = sample.labels;
        assert.deepEqual(Object.keys(sample.labels).sort(), [
          'endpoint',
          'model',
          'request_type',
          'status',
        ]);
        got[JSON.stringify({ model, endpoint, request_type, status })] = sample.value;
      }
      assert.deepEqual(got, want);
      // The table above, literally, as a guard on the computation.
      assert.equal(
        s.get(`${FRONTEND}_requests_total`, {
          model: 'unary-model',
          endpoint: 'completions',
          request_type: 'unary',
          status: 'success',
        }),
        3,
      );
      assert.equal(
        s.get(`${FRONTEND}_requests_total`, {
          model: 'sample-fail',
          endpoint: 'chat_completions',
          request_type: 'stream',
          status: 'error',
        }),
        1,
      );
      assert.equal(sumOf(s, `${FRONTEND}_requests_total`), 19);
    });

    it('invalid requests (400) leave no trace in any metric', () => {
      const leaked = s.samples.filter((x) => x.labels.model === 'invalid-model');
      assert.deepEqual(leaked, [], 'no series for the model of refused requests');
      assert.equal(sumOf(s, 'dynamo_requests_total', WORKER), SPECS.length);
    });

    it('in-flight gauges are back to 0 for every model', () => {
      for (const model of models) {
        assert.equal(s.get(`${FRONTEND}_inflight_requests`, { model }), 0, model);
      }
    });

    it('frontend histograms: exact counts and sums of duration, ISL, OSL, TTFT and ITL', () => {
      const byModel = group(outcomes, (o) => modelOf(o.spec));
      for (const [model, list] of byModel) {
        const specs = list.map((o) => o.spec);
        const h = (name: string, part: 'count' | 'sum') =>
          s.get(`${FRONTEND}_${name}_${part}`, { model });
        // Every counted request observes its duration once.
        assert.equal(h('request_duration_seconds', 'count'), specs.length, `${model}: duration`);
        // ISL: from `usage`, which only successful responses carry.
        const usages = list
          .filter((o) => succeeded(o.spec))
          .map((o) => {
            const body = o.spec.kind === 'unary' ? o.result!.text : sseData(o.result!.text).at(-2)!;
            return (JSON.parse(body) as { usage: { prompt_tokens: number } }).usage;
          });
        assert.equal(h('input_sequence_tokens', 'count'), usages.length, `${model}: ISL count`);
        assert.equal(
          h('input_sequence_tokens', 'sum'),
          usages.reduce((acc, u) => acc + u.prompt_tokens, 0),
          `${model}: ISL sum = sum of usage.prompt_tokens`,
        );
        // OSL: usage.completion_tokens when present, else the token chunks streamed (streams,
        // including failed and aborted ones); a failed unary request has neither.
        const osl = specs.filter((x) => succeeded(x) || isStream(x));
        assert.equal(h('output_sequence_tokens', 'count'), osl.length, `${model}: OSL count`);
        assert.equal(
          h('output_sequence_tokens', 'sum'),
          osl.reduce(
            (acc, x) => acc + (succeeded(x) ? (x.body.max_tokens as number) : streamedTokens(x)),
            0,
          ),
          `${model}: OSL sum`,
        );
        // TTFT once per stream that got a token chunk before it ended; ITL once per later token.
        const ttft = specs.filter((x) => isStream(x) && streamedTokens(x) > 0).length;
        const itl = specs.reduce((acc, x) => acc + Math.max(0, streamedTokens(x) - 1), 0);
        assert.equal(h('time_to_first_token_seconds', 'count'), ttft, `${model}: TTFT count`);
        assert.equal(h('inter_token_latency_seconds', 'count'), itl, `${model}: ITL count`);
      }
      // Literal guards: 4 successful + 2 failed + at least the 2 aborted completions streams
      // got a token; successful streams of 6, 2, 3 and 5 tokens have 5 + 1 + 2 + 4 gaps.
      const abortTtft = [...abortStreamed.values()].filter((n) => n > 0).length;
      const abortItl = [...abortStreamed.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
      assert.equal(sumOf(s, `${FRONTEND}_time_to_first_token_seconds_count`), 6 + abortTtft);
      assert.ok(abortTtft >= 2);
      assert.equal(sumOf(s, `${FRONTEND}_inter_token_latency_seconds_count`), 12 + abortItl);
    });

    it(`TTFT and ITL are plausible for a ${DELAY_MS} ms token delay, and within each request`, () => {
      const count = (name: string) => sumOf(s, `${FRONTEND}_${name}_count`);
      const sum = (name: string) => sumOf(s, `${FRONTEND}_${name}_sum`);
      const below = (name: string, le: string) => sumOf(s, `${FRONTEND}_${name}_bucket`, { le });
      const ttftAvg = sum('time_to_first_token_seconds') / count('time_to_first_token_seconds');
      const itlAvg = sum('inter_token_latency_seconds') / count('inter_token_latency_seconds');
      // Every first token waited one delay, every later token one more.
      assert.equal(below('time_to_first_token_seconds', '0.01'), 0, 'no TTFT under 10 ms');
      assert.equal(below('inter_token_latency_seconds', '0.015'), 0, 'no ITL under 15 ms');
      assert.ok(ttftAvg >= (DELAY_MS - 1) / 1000, `TTFT avg ${ttftAvg}s`);
      assert.ok(itlAvg >= 0.015, `ITL avg ${itlAvg}s`);
      // Upper bounds by ordering, not by the clock: a request's first token comes after its
      // start and its later tokens before its end, so per model TTFT + ITL sums fit in the
      // request durations.
      for (const model of models) {
        const h = (name: string) => s.get(`${FRONTEND}_${name}_sum`, { model });
        const ttft = h('time_to_first_token_seconds');
        const itl = h('inter_token_latency_seconds');
        const duration = h('request_duration_seconds');
        const streamed = s.get(`${FRONTEND}_time_to_first_token_seconds_count`, { model });
        assert.equal(
          ttft > 0,
          streamed > 0,
          `${model}: TTFT sum ${ttft} s for ${streamed} streams`,
        );
        assert.ok(
          ttft + itl <= duration,
          `${model}: TTFT sum ${ttft} s + ITL sum ${itl} s <= duration sum ${duration} s`,
        );
      }
      // Unary requests never observe TTFT or ITL.
      assert.equal(
        s.get(`${FRONTEND}_time_to_first_token_seconds_count`, { model: 'unary-model' }),
        0,
      );
      assert.equal(
        s.get(`${FRONTEND}_inter_token_latency_seconds_count`, { model: 'unary-model' }),
        0,
      );
    });

    it('worker metrics of backend/generate: requests, concurrency, duration, bytes, errors', async () => {
      const n = SPECS.length;
      assert.equal(s.get('dynamo_requests_total', WORKER), n);
      assert.equal(s.get('dynamo_concurrent_requests', WORKER), 0);
      assert.equal(s.get('dynamo_request_duration_seconds_count', WORKER), n);
      assert.equal(
        s.get('dynamo_request_bytes_total', WORKER),
        SPECS.reduce((acc, x) => acc + Buffer.byteLength(promptOf(x)), 0),
        'request bytes = bytes of the prompts',
      );
      const errors = (error_type: string) =>
        s.get('dynamo_errors_total', { ...WORKER, error_type });
      assert.deepEqual(
        {
          stream_error: errors('stream_error'),
          cancelled: errors('cancelled'),
          client_error: errors('client_error'),
          handler_error: errors('handler_error'),
        },
        { stream_error: 4, cancelled: 4, client_error: 0, handler_error: 0 },
        listSeries(s, 'dynamo_errors_total'),
      );
      let want = 0;
      for (const spec of SPECS) want += bytes(await tokensOf(generatedTokens(spec)));
      assert.equal(
        s.get('dynamo_response_bytes_total', WORKER),
        want,
        `response bytes = bytes of the tokens generated; generated tokens by model:\n${listSeries(s, 'dynamo_backend_generated_tokens_total')}`,
      );
      assert.equal(s.get('dynamo_system_uptime_seconds', { namespace: 'dynamo' }) > 0, true);
    });

    it('custom metrics at every level', () => {
      const byModel = group(SPECS, modelOf);
      for (const [model, specs] of byModel) {
        assert.equal(
          s.get('dynamo_backend_generated_tokens_total', {
            namespace: 'dynamo',
            component: 'backend',
            model,
          }),
          specs.reduce((acc, x) => acc + generatedTokens(x), 0),
          `generated tokens of ${model}`,
        );
      }
      const prompt = { ...WORKER, generator: 'fake' };
      assert.equal(s.get('dynamo_generate_prompt_characters_count', prompt), SPECS.length);
      assert.equal(
        s.get('dynamo_generate_prompt_characters_sum', prompt),
        SPECS.reduce((acc, x) => acc + promptOf(x).length, 0),
      );
      assert.equal(
        s.get('dynamo_generate_prompt_characters_bucket', { ...prompt, le: '+Inf' }),
        SPECS.length,
      );
      assert.equal(s.get('dynamo_sample_active_streams', { namespace: 'dynamo' }), 0);
      assert.equal(s.get('dynamo_sample_app_info', { version: '0.1.0', node: process.version }), 1);
    });

    it('GET / answers JSON pointing at the system server', async () => {
      const res = await getPath(app.appPort, '/');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const body = JSON.parse(res.text) as Record<string, unknown>;
      assert.equal(body.metrics, `http://127.0.0.1:${app.systemPort}/metrics`);
      assert.equal(body.health, `http://127.0.0.1:${app.systemPort}/health`);
      assert.equal(body.failingModel, 'sample-fail');
      // The system server does not serve on the app port.
      assert.equal((await getPath(app.appPort, '/metrics')).status, 404);
    });

    it('/health on the system port: 200, ready, endpoints.generate ready', async () => {
      const res = await getPath(app.systemPort!, '/health');
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text) as {
        status: string;
        uptime: number;
        endpoints: Record<string, string>;
      };
      assert.equal(body.status, 'ready');
      assert.equal(body.endpoints.generate, 'ready');
      assert.ok(body.uptime > 0);
      assert.equal((await getPath(app.systemPort!, '/live')).status, 200);
    });

    it('promtool check metrics accepts the served /metrics', async (t) => {
      const promtool = requireBinary(t, 'promtool');
      if (!promtool) return;
      const result = promtoolCheckMetrics(promtool, await app.metricsText());
      assert.equal(result.status, 0, result.output);
    });
  });
}
