import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Body, Controller, DynamicModule, Get, HttpCode, Module, Post } from '@nestjs/common';
import {
  DistributedRuntime,
  DynamoEndpoint,
  DynamoMetricsModule,
  FrontendMetrics,
  LlmFrontendEndpoint,
  SystemServer,
} from '../../src';
import { resolveConfig } from '../../src/config/environment';
import { withEnv } from '../support/env';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { startApp } from '../support/nest-app';

/**
 * What a start prints: one `log` line naming the mode, the bind address and URLs, the decorated
 * handlers and the metrics; per-handler and per-metric lines only when asked for (DYN_LOG=debug
 * or the `logLevel` option), since Nest's default logger prints every level. And the LLM frontend families, which exist only in apps that
 * have a frontend endpoint or use FrontendMetrics.
 */

@Controller()
class WorkerController {
  @Get('work')
  @DynamoEndpoint()
  work(): string {
    return 'done';
  }
}

@Controller('v1')
class ChatController {
  @Post('chat/completions')
  @HttpCode(200)
  @LlmFrontendEndpoint({ endpoint: 'chat_completions' })
  chat(@Body() body: { model: string }): object {
    return { model: body.model, usage: { prompt_tokens: 3, completion_tokens: 2 } };
  }
}

const appModule = (metrics: DynamicModule, controllers: unknown[]): unknown => {
  @Module({ imports: [metrics], controllers: controllers as never[] })
  class AppModule {}
  return AppModule;
};

const FRONTEND = 'nv_llm_http_service_';
/** Worker metrics of one endpoint (6), uptime, and the two scrape metrics of the namespace. */
const BASE_METRICS = 9;
const FRONTEND_METRICS = 7;

const ours = (logger: CapturingLogger) => logger.lines.filter((l) => l.context === 'DynamoMetrics');

describe('start-up logging', () => {
  const cases: Array<{
    title: string;
    system: { enabled: boolean; port?: number; host?: string; statusPage?: boolean };
    controllers: unknown[];
    line: (systemUrl: string | undefined, port: number | undefined) => string;
    metrics: number;
    handlers: number;
  }> = [
    {
      title: 'in-app /metrics, one worker endpoint',
      system: { enabled: true },
      controllers: [WorkerController],
      line: () =>
        `Metrics served in-app at GET /metrics on the application's port; ` +
        `1 @DynamoEndpoint handler, ${BASE_METRICS} metrics`,
      metrics: BASE_METRICS,
      handlers: 1,
    },
    {
      title: 'system server on 127.0.0.1 port 0, worker and frontend endpoints',
      system: { enabled: true, port: 0, host: '127.0.0.1' },
      controllers: [WorkerController, ChatController],
      line: (url, port) =>
        `Metrics served by the system server listening on 127.0.0.1:${port}: ` +
        `${url}/metrics, ${url}/health, ${url}/live; ` +
        `1 @DynamoEndpoint handler, 1 @LlmFrontendEndpoint handler, ` +
        `${BASE_METRICS + FRONTEND_METRICS} metrics`,
      metrics: BASE_METRICS + FRONTEND_METRICS,
      handlers: 2,
    },
    {
      title: 'system server on every interface with the status page',
      system: { enabled: true, port: 0, statusPage: true },
      controllers: [WorkerController],
      // Bound to 0.0.0.0: the line says so, and gives a URL that reaches it from this host.
      line: (url, port) =>
        `Metrics served by the system server listening on 0.0.0.0:${port}: ` +
        `${url}/metrics, ${url}/health, ${url}/live, status page ${url}/; ` +
        `1 @DynamoEndpoint handler, ${BASE_METRICS} metrics`,
      metrics: BASE_METRICS,
      handlers: 1,
    },
    {
      title: 'metrics not served, no decorated handler',
      system: { enabled: false },
      controllers: [],
      line: () =>
        'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true); ' +
        'no decorated handlers, 3 metrics',
      metrics: 3,
      handlers: 0,
    },
    {
      title: 'a system port set while exposure is off',
      system: { enabled: false, port: 9464 },
      controllers: [],
      line: () =>
        'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true); ' +
        'DYN_SYSTEM_PORT=9464 is ignored, the classic naming needs DYN_SYSTEM_ENABLED=true as ' +
        'well, as the Dynamo guide says (under DYN_METRICS_NAMING=component the port alone ' +
        'starts the system server); ' +
        'no decorated handlers, 3 metrics',
      metrics: 3,
      handlers: 0,
    },
  ];

  const debugBy: Array<[string, Record<string, string>, { logLevel?: 'debug' }]> = [
    ['by default', {}, {}],
    ['with DYN_LOG=debug', { DYN_LOG: 'debug' }, {}],
    ['with logLevel: "debug"', {}, { logLevel: 'debug' }],
  ];
  for (const c of cases) {
    for (const [how, env, options] of debugBy) {
      const debug = how !== 'by default';
      const title = debug ? 'the details at debug' : 'nothing else at any level';
      it(`${c.title}, ${how}: one log line, ${title}`, async () => {
        await withEnv(env, async () => {
          const logger = new CapturingLogger();
          const dynamo = DynamoMetricsModule.forRoot({ system: c.system, ...options });
          const { app } = await startApp('express', appModule(dynamo, c.controllers), { logger });
          try {
            const server = app.get(SystemServer);
            const lines = ours(logger);
            assert.deepEqual(
              lines.filter((l) => l.level !== 'debug'),
              [
                {
                  level: 'log',
                  context: 'DynamoMetrics',
                  message: c.line(server.url, server.port),
                },
              ],
            );
            const details = lines.filter((l) => l.level === 'debug').map((l) => l.message);
            const handlers = details.filter((m) =>
              /^@(DynamoEndpoint|LlmFrontendEndpoint) /.test(m),
            );
            const metrics = details.filter((m) => m.startsWith('metric '));
            assert.equal(handlers.length, debug ? c.handlers : 0, handlers.join('\n'));
            assert.equal(metrics.length, debug ? c.metrics : 0, metrics.join('\n'));
            assert.equal(details.length, handlers.length + metrics.length, details.join('\n'));
            // The count in the log line is the count in the output.
            const text = await app.get(DistributedRuntime).prometheusMetricsFmt();
            assert.equal(text.match(/^# TYPE /gm)?.length, c.metrics);
          } finally {
            await app.close();
          }
        });
      });
    }
  }

  it("DYN_LOG takes Dynamo's directives; a bad level is a start-up error naming it", async () => {
    for (const [value, want] of [
      ['info,dynamo_llm=debug', 'info'],
      ['TRACE', 'debug'],
      ['dynamo_runtime=debug', 'info'],
      ['warn', 'info'],
    ] as const) {
      assert.equal(resolveConfig({}, { DYN_LOG: value }).logLevel, want, value);
    }
    const refused = (fn: () => unknown, message: RegExp) =>
      assert.throws(fn, (err: Error) => message.test(err.message));
    refused(
      () => resolveConfig({}, { DYN_LOG: 'loud' }),
      /^DYN_LOG="loud" is not valid; accepted values: a level, "error", "warn", "info", "debug", "trace"/,
    );
    refused(
      () => resolveConfig({ logLevel: 'verbose' as never }, {}),
      /^option logLevel="verbose" is not valid/,
    );
  });
});

describe('LLM frontend families appear only when used', () => {
  const frontendFamilies = async (runtime: DistributedRuntime) =>
    ((await runtime.prometheusMetricsFmt()).match(/^# TYPE \S+/gm) ?? [])
      .map((l) => l.slice('# TYPE '.length))
      .filter((name) => name.startsWith(FRONTEND))
      .sort();
  const ALL = [
    'inflight_requests',
    'input_sequence_tokens',
    'inter_token_latency_seconds',
    'output_sequence_tokens',
    'request_duration_seconds',
    'requests_total',
    'time_to_first_token_seconds',
  ].map((n) => FRONTEND + n);

  it('an app without frontend endpoints exports none (in-app /metrics too)', async () => {
    await withEnv({}, async () => {
      const module = appModule(DynamoMetricsModule.forRoot({ system: { enabled: true } }), [
        WorkerController,
      ]);
      const { app, url } = await startApp('express', module);
      try {
        assert.deepEqual(await frontendFamilies(app.get(DistributedRuntime)), []);
        const served = await get(`${url}/metrics`);
        assert.equal(served.status, 200);
        assert.ok(!served.text.includes(FRONTEND), served.text);
        assert.ok(served.text.includes('# TYPE dynamo_requests_total counter'));
      } finally {
        await app.close();
      }
    });
  });

  it('an @LlmFrontendEndpoint() handler defines them at start-up, before any request', async () => {
    await withEnv({}, async () => {
      const module = appModule(DynamoMetricsModule.forRoot(), [ChatController]);
      const { app, url } = await startApp('express', module);
      try {
        const runtime = app.get(DistributedRuntime);
        assert.deepEqual(await frontendFamilies(runtime), ALL);
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'Demo' }),
        });
        assert.equal(res.status, 200);
        const text = await runtime.prometheusMetricsFmt();
        assert.match(
          text,
          /^nv_llm_http_service_requests_total\{model="demo",endpoint="chat_completions",request_type="unary",status="success"\} 1$/m,
        );
      } finally {
        await app.close();
      }
    });
  });

  it('FrontendMetrics used by hand defines them at its first request', async () => {
    await withEnv({}, async () => {
      const { app } = await startApp('express', appModule(DynamoMetricsModule.forRoot(), []));
      try {
        const runtime = app.get(DistributedRuntime);
        assert.deepEqual(await frontendFamilies(runtime), []);
        const request = app
          .get(FrontendMetrics)
          .startRequest({ model: 'm', endpoint: 'completions', stream: true });
        assert.deepEqual(await frontendFamilies(runtime), ALL);
        request.tokens(1);
        request.end('success');
        assert.match(
          await runtime.prometheusMetricsFmt(),
          /^nv_llm_http_service_inflight_requests\{model="m"\} 0$/m,
        );
      } finally {
        await app.close();
      }
    });
  });
});
