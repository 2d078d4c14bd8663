import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DistributedRuntime,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  FrontendMetrics,
  resolveConfig,
} from '../../src/internal';
import { Scrape } from '../support/exposition-parser';
import { CapturingLogger } from '../support/logger';

/**
 * Issue 14, items 1 and 2 through the module: the frontend's `model` label has its own budget
 * (default 100) and an optional allow-list; other models are recorded as `__overflow__` with
 * exact totals, counted per request, warned about once; the new variables win over options and
 * bad values stop start-up naming the variable.
 */

const REQUESTS = 'nv_llm_http_service_requests_total';
const NEW_VARS = [
  'DYN_METRICS_MAX_SERIES',
  'DYN_METRICS_MAX_SERIES_PER_METRIC',
  'DYN_METRICS_MAX_LABEL_VALUE_LENGTH',
  'DYN_METRICS_FRONTEND_MAX_MODELS',
] as const;

interface Context {
  frontend: FrontendMetrics;
  runtime: DistributedRuntime;
  logger: CapturingLogger;
  scrape(): Promise<Scrape>;
}

async function withFrontend(
  options: DynamoMetricsModuleOptions,
  env: Partial<Record<(typeof NEW_VARS)[number], string>>,
  fn: (ctx: Context) => Promise<void>,
  /** Runs while the app starts, as a provider of the app would (metrics made at start-up). */
  setup?: (runtime: DistributedRuntime) => void,
): Promise<void> {
  const saved = NEW_VARS.map((name) => [name, process.env[name]] as const);
  for (const name of NEW_VARS) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  try {
    @Module({
      imports: [DynamoMetricsModule.forRoot({ includeGlobalRegistry: false, ...options })],
      providers: [
        {
          provide: 'SETUP',
          inject: [DistributedRuntime],
          useFactory: (r: DistributedRuntime) => setup?.(r) ?? true,
        },
      ],
    })
    class AppModule {}
    const logger = new CapturingLogger();
    const app = await NestFactory.createApplicationContext(AppModule, { logger });
    try {
      const runtime = app.get(DistributedRuntime);
      await fn({
        frontend: app.get(FrontendMetrics),
        runtime,
        logger,
        scrape: async () => new Scrape(await runtime.prometheusMetricsFmt()),
      });
    } finally {
      await app.close();
    }
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function serve(frontend: FrontendMetrics, model: string, stream = false): void {
  const request = frontend.startRequest({ model, endpoint: 'chat_completions', stream });
  request.tokens(1);
  request.usage({ prompt_tokens: 3, completion_tokens: 1 });
  request.end('success');
}

const warnings = (logger: CapturingLogger) =>
  logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);

describe('frontend model budget', () => {
  it('default: 100 models, the rest as __overflow__; totals exact; one warning', async () => {
    await withFrontend({}, {}, async ({ frontend, logger, scrape }) => {
      for (let i = 0; i < 150; i++) serve(frontend, `Model-${i}`);
      for (let i = 0; i < 150; i++) serve(frontend, `model-${i}`, true);
      const s = await scrape();
      const models = new Set(s.matching(REQUESTS).map((x) => x.labels.model));
      assert.equal(models.size, 101);
      assert.ok(models.has('model-99') && !models.has('model-100') && models.has('__overflow__'));
      const overflow = { model: '__overflow__', endpoint: 'chat_completions', status: 'success' };
      assert.equal(s.get(REQUESTS, { ...overflow, request_type: 'unary' }), 50);
      assert.equal(s.get(REQUESTS, { ...overflow, request_type: 'stream' }), 50);
      assert.equal(
        s.matching(REQUESTS).reduce((sum, x) => sum + x.value, 0),
        300,
      );
      assert.equal(
        s.get('nv_llm_http_service_time_to_first_token_seconds_count', { model: '__overflow__' }),
        100,
      );
      assert.equal(s.get('nv_llm_http_service_inflight_requests', { model: '__overflow__' }), 0);
      assert.equal(s.get('dynamo_series_overflow_total', { metric: REQUESTS }), 100);
      assert.deepEqual(warnings(logger), [
        `Metric ${REQUESTS}: 100 distinct model values reached; further ones are recorded in its __overflow__ series and counted in dynamo_series_overflow_total{metric="${REQUESTS}"} (DYN_METRICS_FRONTEND_MAX_MODELS sets the limit).`,
      ]);
      // The per-model cache is bounded too: 100 models and the overflow entry.
      assert.equal((frontend as unknown as { byModel: Map<string, unknown> }).byModel.size, 101);
    });
  });

  it('DYN_METRICS_FRONTEND_MAX_MODELS wins over the option; long names overflow', async () => {
    await withFrontend(
      { frontend: { maxModels: 50 }, series: { maxLabelValueLength: 20 } },
      { DYN_METRICS_FRONTEND_MAX_MODELS: '2' },
      async ({ frontend, scrape }) => {
        for (const m of ['a', 'b', 'c', 'a', 'x'.repeat(21)]) serve(frontend, m);
        const s = await scrape();
        assert.deepEqual(
          s.matching(REQUESTS).map((x) => [x.labels.model, x.value]),
          [
            ['a', 2],
            ['b', 1],
            ['__overflow__', 2],
          ],
        );
      },
    );
  });

  it('an allow-list (names or a predicate) records other models as __overflow__', async () => {
    await withFrontend(
      { frontend: { models: ['Llama-3', 'mistral'] } },
      {},
      async ({ frontend, logger, scrape }) => {
        for (const m of ['LLAMA-3', 'gpt-4', 'mistral', 'evil']) serve(frontend, m);
        const s = await scrape();
        assert.deepEqual(
          s.matching(REQUESTS).map((x) => [x.labels.model, x.value]),
          [
            ['llama-3', 1],
            ['__overflow__', 2],
            ['mistral', 1],
          ],
        );
        assert.match(
          warnings(logger)[0]!,
          /a model value outside the allowed list \(option frontend\.models\)/,
        );
      },
    );
    await withFrontend(
      { frontend: { models: (m) => m.startsWith('ok-') } },
      {},
      async ({ frontend, scrape }) => {
        for (const m of ['OK-1', 'no', 'ok-2']) serve(frontend, m);
        const s = await scrape();
        assert.deepEqual(
          s.matching(REQUESTS).map((x) => x.labels.model),
          ['ok-1', '__overflow__', 'ok-2'],
        );
      },
    );
  });

  it('series budget variables win over options; bad values name the variable', async () => {
    await withFrontend(
      { series: { maxSeries: 100 } },
      { DYN_METRICS_MAX_SERIES: '1', DYN_METRICS_MAX_SERIES_PER_METRIC: '{"dynamo_b_total":2}' },
      async ({ runtime, scrape }) => {
        // The same metrics as made at start-up (get-or-create).
        const a = runtime.createCounterVec('a_total', 'A', ['k']);
        const b = runtime.createCounterVec('b_total', 'B', ['k']);
        for (const k of ['1', '2', '3']) {
          a.labels(k).inc();
          b.labels(k).inc();
        }
        const s = await scrape();
        assert.equal(s.get('dynamo_a_total', { k: '__overflow__' }), 2);
        assert.equal(s.get('dynamo_b_total', { k: '__overflow__' }), 1);
      },
      (runtime) => {
        runtime.createCounterVec('a_total', 'A', ['k']);
        runtime.createCounterVec('b_total', 'B', ['k']);
      },
    );
    // A budget for a metric the app does not have would never apply: start-up stops.
    await assert.rejects(
      withFrontend(
        {},
        {
          DYN_METRICS_MAX_SERIES_PER_METRIC:
            '{"dynamo_b_totl":2,"nv_llm_http_service_requests_total":5}',
        },
        async () => assert.fail('must not start'),
        (runtime) => void runtime.createCounterVec('b_total', 'B', ['k']),
      ),
      (err: Error) => {
        assert.match(
          err.message,
          /^DYN_METRICS_MAX_SERIES_PER_METRIC names "dynamo_b_totl", which is not a metric of this application, so the budget would never apply; accepted values: full names of metrics that exist once the application has started \(dynamo_b_total, /,
        );
        assert.match(err.message, /or any name starting with nv_llm_http_service_ /);
        return true;
      },
    );
    const cases: Array<[Record<string, string>, string]> = [
      [
        { DYN_METRICS_MAX_SERIES: '0' },
        'DYN_METRICS_MAX_SERIES="0" is not valid; accepted values: a whole number >= 1 (empty means unset).',
      ],
      [
        { DYN_METRICS_MAX_LABEL_VALUE_LENGTH: 'lots' },
        'DYN_METRICS_MAX_LABEL_VALUE_LENGTH="lots" is not valid; accepted values: a whole number >= 1 (empty means unset).',
      ],
      [
        { DYN_METRICS_FRONTEND_MAX_MODELS: '1.5' },
        'DYN_METRICS_FRONTEND_MAX_MODELS="1.5" is not valid; accepted values: a whole number >= 1 (empty means unset).',
      ],
      [
        { DYN_METRICS_MAX_SERIES_PER_METRIC: '{"bad name":3}' },
        'DYN_METRICS_MAX_SERIES_PER_METRIC="{\\"bad name\\":3}" is not valid; accepted values: a JSON object of full metric names to whole numbers >= 1, such as {"dynamo_tokens_total":5000} (empty means unset).',
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => resolveConfig({}, env),
        (err: Error) => err.message === message,
        JSON.stringify(env),
      );
    }
    assert.throws(
      () => resolveConfig({ frontend: { models: 'llama' as never } }, {}),
      (err: Error) =>
        err.message ===
        'option frontend.models="llama" is not valid; accepted values: an array of model names such as ["llama-3"], or a function (model) => boolean.',
    );
    // Empty means unset; options apply when no variable is set.
    const config = resolveConfig(
      { series: { maxSeries: 7 }, frontend: { maxModels: 9 } },
      { DYN_METRICS_MAX_SERIES: '', DYN_METRICS_FRONTEND_MAX_MODELS: ' ' },
    );
    assert.deepEqual(
      [config.series.maxSeries, config.series.maxLabelValueLength, config.frontendMaxModels],
      [7, 256, 9],
    );
  });
});
