import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Param,
} from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { DynamoEndpoint, DynamoMetricsModule, Namespace, SystemServer } from '../../src';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { OPENMETRICS_ACCEPT, OPENMETRICS_TYPE, PROMETHEUS_TYPE } from '../support/content-types';
import { EnvVars, withEnv } from '../support/env';
import { sample } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { PLATFORMS, startApp } from '../support/nest-app';

/**
 * Real `promtool check metrics` on what /metrics serves, on the system server and in-app, on
 * Express and Fastify, after decorated traffic (successes, client errors, handler errors, a
 * plain provider method), a metric of the app's own with labels, and a plain prom-client metric
 * in the global registry (which the module exposes too by default).
 */

// A plain prom-client metric in the global registry, as an app using prom-client directly has.
const legacy = new Counter({
  name: 'legacy_jobs_total',
  help: 'Jobs run by the legacy scheduler',
  labelNames: ['queue'],
});
legacy.inc({ queue: 'default' }, 2);
after(() => register.removeSingleMetric('legacy_jobs_total'));

function appModule(): unknown {
  @Injectable()
  class Tokenizer {
    @DynamoEndpoint({ component: 'tokenizer' })
    async tokenize(text: string): Promise<string[]> {
      return text.split(' ');
    }
  }

  @Controller()
  class WorkController {
    private readonly routed;
    constructor(
      private readonly tokenizer: Tokenizer,
      @Inject(Namespace) namespace: Namespace,
    ) {
      this.routed = namespace
        .component('router')
        .createIntCounterVec('routed_total', 'Requests routed, by model', ['model']);
    }

    @Get('generate/:model')
    @DynamoEndpoint()
    async generate(@Param('model') model: string): Promise<{ tokens: string[] }> {
      this.routed.labels({ model }).inc();
      return { tokens: await this.tokenizer.tokenize('a "quoted" \\ back\nslash') };
    }

    @Get('bad')
    @DynamoEndpoint()
    bad(): never {
      throw new BadRequestException('no');
    }

    @Get('boom')
    @DynamoEndpoint()
    boom(): never {
      throw new Error('boom');
    }
  }

  @Module({
    imports: [DynamoMetricsModule.forRoot()],
    controllers: [WorkController],
    providers: [Tokenizer],
  })
  class AppModule {}
  return AppModule;
}

const MODES: Array<{ mode: string; env: EnvVars }> = [
  {
    mode: 'system server',
    env: { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0', DYN_SYSTEM_HOST: '127.0.0.1' },
  },
  { mode: 'in-app', env: { DYN_SYSTEM_ENABLED: 'true' } },
];

describe('promtool check metrics on served /metrics', () => {
  for (const platform of PLATFORMS) {
    for (const { mode, env } of MODES) {
      it(`${platform}, ${mode}: clean after decorated traffic`, async (t) => {
        const promtool = requireBinary(t, 'promtool');
        if (!promtool) return;
        await withEnv(env, async () => {
          const { app, url } = await startApp(platform, appModule());
          try {
            for (const model of ['llama-3', 'gpt "4o"', 'llama-3']) {
              assert.equal((await get(`${url}/generate/${encodeURIComponent(model)}`)).status, 200);
            }
            assert.equal((await get(`${url}/bad`)).status, 400);
            assert.equal((await get(`${url}/boom`)).status, 500);

            const base = mode === 'in-app' ? url : app.get(SystemServer).url!;
            for (let round = 0; round < 2; round++) {
              const text = await get(`${base}/metrics`);
              assert.equal(text.status, 200);
              assert.equal(text.headers['content-type'], PROMETHEUS_TYPE);
              assertTraffic(text.text);
              const checked = promtoolCheckMetrics(promtool, text.text);
              assert.deepEqual(checked, { status: 0, output: '' }, `promtool on:\n${text.text}`);

              // promtool 2.42's `check metrics` reads only the classic text format: fed
              // OpenMetrics it reports every counter ("dynamo_errors_total no help text") since
              // OpenMetrics names the family without _total. So the OpenMetrics variant is only
              // checked for its shape here.
              const om = await get(`${base}/metrics`, { accept: OPENMETRICS_ACCEPT });
              assert.equal(om.headers['content-type'], OPENMETRICS_TYPE);
              assert.ok(om.text.endsWith('# EOF\n'));
              assert.match(om.text, /^# TYPE dynamo_requests counter$/m);
              assert.match(
                om.text,
                /^dynamo_requests_total\{namespace="dynamo",component="work",endpoint="generate"\} \d+$/m,
              );
              // More traffic between the two rounds.
              assert.equal((await get(`${url}/generate/mistral`)).status, 200);
            }
          } finally {
            await app.close();
          }
        });
      });
    }
  }

  it('promtool does find problems (the check is not vacuous)', (t) => {
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const lint = promtoolCheckMetrics(promtool, '# HELP jobs x\n# TYPE jobs counter\njobs 1\n');
    assert.equal(lint.status, 3, lint.output);
    assert.match(lint.output, /counter metrics should have "_total" suffix/);
    const parse = promtoolCheckMetrics(promtool, 'not a metric line{\n');
    assert.equal(parse.status, 1, parse.output);
  });
});

function assertTraffic(body: string): void {
  const ep = (endpoint: string, component = 'work') =>
    `namespace="dynamo",component="${component}",endpoint="${endpoint}"`;
  assert.ok(sample(body, `dynamo_requests_total{${ep('generate')}}`)! >= 3, body);
  assert.equal(
    sample(body, `dynamo_errors_total{${ep('bad')},error_type="client_error"}`),
    1,
    body,
  );
  assert.equal(
    sample(body, `dynamo_errors_total{${ep('boom')},error_type="handler_error"}`),
    1,
    body,
  );
  assert.ok(sample(body, `dynamo_requests_total{${ep('tokenize', 'tokenizer')}}`)! >= 3, body);
  assert.equal(
    sample(body, 'dynamo_routed_total{namespace="dynamo",component="router",model="gpt \\"4o\\""}'),
    1,
    body,
  );
  assert.equal(sample(body, 'legacy_jobs_total{queue="default"}'), 2, body);
}
