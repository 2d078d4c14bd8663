import 'reflect-metadata';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { FrontendMetrics } from '../../src';
import { Scrape } from '../support/exposition-parser';
import { postAndAbortAfterEvents, postJson } from '../support/http-client';
import { closeApp, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { DYNAMO_LE, DynamoHistogram, dynamoLe } from '../support/dynamo-exposition';
import { poll } from '../support/poll';
import { componentFrontendModule } from './fixtures/component-frontend-app';

/**
 * The `component` profile's frontend, as today's Dynamo writes it: Dynamo's bucket sets (and
 * DYN_METRICS_<X>_* overrides), requests_started_total, the model configuration gauges,
 * tokenizer and stage metrics, cancellation and rejection counters, each created on first use.
 */

const P = 'dynamo_frontend';
const NS = { dynamo_namespace: 'dynamo' };
const PATH = '/v1/chat/completions';

/** The `le` values of a histogram family's first series, in order. */
function les(s: Scrape, family: string, labels: Record<string, string>): string[] {
  return s.matching(`${P}_${family}_bucket`, labels).map((x) => x.labels.le!);
}

/** Sets process variables for the life of an app; returns the restore function. */
function setEnv(vars: Record<string, string>): () => void {
  const saved = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

const idle = (app: INestApplication) =>
  poll(
    'requests to end',
    async () => {
      const s = await scrape(app);
      return s.get(`${P}_inflight_requests`, { ...NS, model: 'm' }) === 0 ? s : undefined;
    },
    { timeoutMs: 5000, intervalMs: 20 },
  );

describe('component frontend: Dynamo series and buckets', { timeout: SUITE_TIMEOUT_MS }, () => {
  let app: INestApplication | undefined;
  let restore: (() => void) | undefined;
  afterEach(async () => {
    await closeApp(app);
    restore?.();
    restore = app = undefined;
  });

  it("every frontend histogram has Dynamo's default buckets; new families exist once used", async () => {
    const started = await startApp('express', componentFrontendModule());
    app = started.app;
    const before = (await scrape(app)).names();
    for (const name of [
      'requests_started_total',
      'model_context_length',
      'model_cancellation_total',
      'model_rejection_total',
      'tokenizer_latency_ms_count',
      'stage_requests',
      'stage_duration_seconds_count',
    ]) {
      assert.equal(before.has(`${P}_${name}`), false, `${name} before any use`);
    }
    const res = await postJson(started.port, PATH, { model: 'M', stream: true, words: ['x', 'y'] });
    assert.equal(res.status, 200);
    const s = await idle(app);
    for (const family of Object.keys(DYNAMO_LE) as DynamoHistogram[]) {
      const expected = [...dynamoLe(family), '+Inf'].join(',');
      assert.equal(les(s, family, { ...NS, model: 'm' }).join(','), expected, family);
    }
    assert.equal(
      les(s, 'tokenizer_latency_ms', { operation: 'tokenize' }).join(','),
      '0.5,1,2,4,8,16,32,64,128,256,512,+Inf',
    );
    assert.equal(
      les(s, 'stage_duration_seconds', { stage: 'preprocess' }).join(','),
      '0.0001,0.0005,0.001,0.005,0.01,0.05,0.1,0.5,1,2.5,5,+Inf',
    );
    assert.match(
      s.text,
      /^# HELP dynamo_frontend_requests_started_total Total number of LLM requests accepted by the frontend handler$/m,
    );
    assert.match(
      s.text,
      /^# HELP dynamo_frontend_time_to_first_token_seconds Time to first token in seconds$/m,
    );
  });

  it('DYN_METRICS_TTFT_MIN=0.01 _MAX=10 _COUNT=5 gives 0, 0.056, 0.32, 1.8, 10; options set the others', async () => {
    restore = setEnv({
      DYN_METRICS_TTFT_MIN: '0.01',
      DYN_METRICS_TTFT_MAX: '10',
      DYN_METRICS_TTFT_COUNT: '5',
      // The deprecated doubled form, still read when the new name is unset.
      DYN_HISTOGRAM_DYN_METRICS_ITL_COUNT: '3',
    });
    const started = await startApp(
      'express',
      componentFrontendModule({
        frontend: {
          buckets: {
            requestDuration: [0, 1, 10],
            outputSequence: { min: 10, max: 1000, count: 3 },
            // The variable wins over the option.
            timeToFirstToken: [1, 2, 3],
          },
        },
      }),
    );
    app = started.app;
    assert.equal((await postJson(started.port, PATH, { model: 'm', stream: true })).status, 200);
    const s = await idle(app);
    const at = { ...NS, model: 'm' };
    assert.equal(les(s, 'time_to_first_token_seconds', at).join(','), '0,0.056,0.32,1.8,10,+Inf');
    assert.equal(les(s, 'inter_token_latency_seconds', at).join(','), '0,0.045,2,+Inf');
    assert.equal(les(s, 'request_duration_seconds', at).join(','), '0,1,10,+Inf');
    assert.equal(les(s, 'output_sequence_tokens', at).join(','), '0,100,1000,+Inf');
    assert.deepEqual(les(s, 'input_sequence_tokens', at), [
      ...dynamoLe('input_sequence_tokens'),
      '+Inf',
    ]);
  });

  it('counts started, ended, cancelled and rejected requests; stages and tokenizer runs', async () => {
    const started = await startApp('express', componentFrontendModule());
    app = started.app;
    const { port } = started;
    assert.equal((await postJson(port, PATH, { model: 'M' })).status, 200);
    assert.equal((await postJson(port, PATH, { model: 'm', stream: true })).status, 200);
    assert.equal((await postJson(port, PATH, { model: 'm', status: 429 })).status, 429);
    assert.equal((await postJson(port, PATH, { model: 'm', status: 529 })).status, 529);
    const long = { model: 'm', stream: true, words: ['1', '2', '3', '4'], gapMs: 30 };
    await postAndAbortAfterEvents(port, PATH, long, 1);
    const s = await idle(app);
    const triple = (request_type: string) => ({
      ...NS,
      model: 'm',
      endpoint: 'chat_completions',
      request_type,
    });
    assert.equal(s.get(`${P}_requests_started_total`, triple('unary')), 3);
    assert.equal(s.get(`${P}_requests_started_total`, triple('stream')), 2);
    const ended = (type: string, status: string, error_type: string) =>
      s.get(`${P}_requests_total`, { ...triple(type), status, error_type });
    assert.equal(ended('unary', 'success', ''), 1);
    assert.equal(ended('unary', 'error', 'overload'), 2);
    assert.equal(ended('stream', 'success', ''), 1);
    assert.equal(ended('stream', 'error', 'cancelled'), 1);
    assert.equal(s.get(`${P}_model_cancellation_total`, triple('stream')), 1);
    assert.equal(s.find(`${P}_model_cancellation_total`, triple('unary')), undefined);
    assert.equal(
      s.get(`${P}_model_rejection_total`, { ...NS, model: 'm', endpoint: 'chat_completions' }),
      2,
    );
    assert.equal(s.get(`${P}_disconnected_clients`, NS), 1);
    // Every request passed preprocess and route; the two streams were dispatched.
    const stage = (name: string, phase: string) =>
      s.get(`${P}_stage_requests`, { ...NS, stage: name, phase });
    assert.equal(stage('preprocess', ''), 0);
    assert.equal(stage('route', 'aggregated'), 0);
    assert.equal(stage('dispatch', 'aggregated'), 0);
    const passes = (name: string) =>
      s.get(`${P}_stage_duration_seconds_count`, { ...NS, stage: name });
    assert.deepEqual([passes('preprocess'), passes('route'), passes('dispatch')], [5, 5, 2]);
    const runs = (operation: string) =>
      s.get(`${P}_tokenizer_latency_ms_count`, { ...NS, operation });
    assert.equal(runs('tokenize'), 5);
    // Unary: none; the finished stream 2 tokens; the cancelled one 1 or 2 before the abort.
    assert.ok(runs('detokenize') >= 3 && runs('detokenize') <= 4, String(runs('detokenize')));
    assert.equal(s.get(`${P}_tokenizer_latency_ms_sum`, { ...NS, operation: 'tokenize' }), 15);
  });

  it('publishes model configurations through the model budget', async () => {
    const started = await startApp(
      'express',
      componentFrontendModule({ frontend: { maxModels: 1 } }),
    );
    app = started.app;
    const frontend = app.get(FrontendMetrics);
    frontend.publishModelConfig('Llama-3-8B', {
      contextLength: 8192,
      kvCacheBlockSize: 16,
      totalKvBlocks: 4096,
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      migrationLimit: 3,
    });
    frontend.publishModelConfig('llama-3-8b', { totalKvBlocks: 2048 });
    // A second model is past the budget of 1: recorded as __overflow__, never as its own series.
    frontend.publishModelConfig('qwen', { contextLength: 32768 });
    const s = await scrape(app);
    const at = (model: string) => ({ ...NS, model });
    const values = Object.fromEntries(
      [
        'context_length',
        'kv_cache_block_size',
        'total_kv_blocks',
        'max_num_seqs',
        'max_num_batched_tokens',
        'migration_limit',
      ].map((n) => [n, s.get(`${P}_model_${n}`, at('llama-3-8b'))]),
    );
    assert.deepEqual(values, {
      context_length: 8192,
      kv_cache_block_size: 16,
      total_kv_blocks: 2048,
      max_num_seqs: 256,
      max_num_batched_tokens: 8192,
      migration_limit: 3,
    });
    assert.equal(s.get(`${P}_model_context_length`, at('__overflow__')), 32768);
    assert.equal(s.matching(`${P}_model_context_length`).length, 2);
    assert.throws(
      () => frontend.publishModelConfig('m', { contextLength: 1.5 }),
      /publishModelConfig\("m"\): contextLength=1.5 is not valid; accepted values: a whole number >= 0/,
    );
    assert.throws(
      () => frontend.publishModelConfig('m', { context: 1 } as never),
      /"context" is not a model configuration value; accepted keys: contextLength, /,
    );
    assert.throws(
      () => frontend.tokenizerLatency('encode' as never, 1),
      /operation "encode" is not valid; accepted values: "tokenize" or "detokenize"/,
    );
  });

  it("classic: the same calls create no new family, and the buckets stay the guide's", async () => {
    const started = await startApp('express', componentFrontendModule({ naming: 'classic' }));
    app = started.app;
    const frontend = app.get(FrontendMetrics);
    frontend.publishModelConfig('m', { contextLength: 8192 });
    assert.equal((await postJson(started.port, PATH, { model: 'm', stream: true })).status, 200);
    assert.equal((await postJson(started.port, PATH, { model: 'm', status: 503 })).status, 503);
    assert.equal((await postJson(started.port, PATH, { model: 'm', status: 400 })).status, 400);
    const s = await scrape(app);
    const families = [...s.names()].filter((n) => n.startsWith('nv_llm_http_service_'));
    assert.deepEqual(
      [...new Set(families.map((n) => n.replace(/_(bucket|sum|count)$/, '')))].sort(),
      [
        'nv_llm_http_service_inflight_requests',
        'nv_llm_http_service_input_sequence_tokens',
        'nv_llm_http_service_inter_token_latency_seconds',
        'nv_llm_http_service_output_sequence_tokens',
        'nv_llm_http_service_request_duration_seconds',
        'nv_llm_http_service_requests_total',
        'nv_llm_http_service_time_to_first_token_seconds',
      ],
    );
    assert.equal(s.names().has('dynamo_frontend_requests_started_total'), false);
    const ttft = s
      .matching('nv_llm_http_service_time_to_first_token_seconds_bucket', { model: 'm' })
      .map((x) => x.labels.le);
    assert.equal(
      ttft.join(','),
      '0,0.001,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2,5,10,30,60,120,240,480,+Inf',
    );
    // No error_type label; a refusal (4xx) is not counted under classic, a 503 is an error.
    const base = { model: 'm', endpoint: 'chat_completions' };
    assert.deepEqual(
      s.matching('nv_llm_http_service_requests_total').map((x) => [x.labels, x.value]),
      [
        [{ ...base, request_type: 'stream', status: 'success' }, 1],
        [{ ...base, request_type: 'unary', status: 'error' }, 1],
      ],
    );
  });
});
