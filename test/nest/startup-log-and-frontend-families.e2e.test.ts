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
import { withEnv } from '../support/env';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { startApp } from '../support/nest-app';

/**
 * What a start prints (issue: 54 DEBUG lines on every start): one `log` line naming the mode,
 * the port, the decorated handlers and the metrics; per-handler and per-metric lines only at
 * `verbose`; nothing at `debug`. And the LLM frontend families, which exist only in apps that
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
    system: { enabled: boolean; port?: number; host?: string };
    controllers: unknown[];
    line: (systemUrl: string | undefined) => string;
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
      title: 'system server on port 0, worker and frontend endpoints',
      system: { enabled: true, port: 0, host: '127.0.0.1' },
      controllers: [WorkerController, ChatController],
      line: (url) =>
        `Metrics served by the system server at ${url} (/metrics, /health, /live); ` +
        `1 @DynamoEndpoint handler, 1 @LlmFrontendEndpoint handler, ` +
        `${BASE_METRICS + FRONTEND_METRICS} metrics`,
      metrics: BASE_METRICS + FRONTEND_METRICS,
      handlers: 2,
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
  ];

  for (const c of cases) {
    it(`${c.title}: one log line, the details at verbose`, async () => {
      await withEnv({}, async () => {
        const logger = new CapturingLogger();
        const module = appModule(DynamoMetricsModule.forRoot({ system: c.system }), c.controllers);
        const { app } = await startApp('express', module, { logger });
        try {
          const url = c.system.port === undefined ? undefined : app.get(SystemServer).url;
          const lines = ours(logger);
          assert.deepEqual(
            lines.filter((l) => l.level !== 'verbose'),
            [{ level: 'log', context: 'DynamoMetrics', message: c.line(url) }],
          );
          const verbose = lines.filter((l) => l.level === 'verbose').map((l) => l.message);
          const handlers = verbose.filter((m) => /^@(DynamoEndpoint|LlmFrontendEndpoint) /.test(m));
          const metrics = verbose.filter((m) => m.startsWith('metric '));
          assert.equal(handlers.length, c.handlers, handlers.join('\n'));
          assert.equal(metrics.length, c.metrics, metrics.join('\n'));
          const systemLines = verbose.length - handlers.length - metrics.length;
          assert.equal(systemLines, url === undefined ? 0 : 1, verbose.join('\n'));
          // The count in the log line is the count in the output.
          const text = await app.get(DistributedRuntime).prometheusMetricsFmt();
          assert.equal(text.match(/^# TYPE /gm)?.length, c.metrics);
        } finally {
          await app.close();
        }
      });
    });
  }
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
