import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, HttpCode, Module, Post, StreamableFile } from '@nestjs/common';
import { DynamoEndpoint, DynamoMetricsModule, DistributedRuntime } from '../../src';
import { Scrape } from '../support/exposition-parser';
import { postJson } from '../support/http-client';
import { closeApp, PLATFORMS, startApp, StartedApp, SUITE_TIMEOUT_MS } from '../support/nest-app';

/**
 * @DynamoEndpoint in the component profile on real Express and Fastify servers: per-call labels
 * from the body, process-wide labels from the module, time to first response of a stream.
 */

interface Req {
  model: string;
}
const model = ([body]: unknown[]) => (body as Req).model.toLowerCase();

@Controller('w')
class WorkerController {
  @Post('generate')
  @HttpCode(200)
  @DynamoEndpoint({ component: 'backend', endpoint: 'generate', labels: { model } })
  generate(@Body() body: Req) {
    return { model: body.model };
  }

  @Post('stream')
  @HttpCode(200)
  @DynamoEndpoint({ component: 'backend', endpoint: 'stream', labels: { model } })
  stream(@Body() _body: Req) {
    return new StreamableFile(
      Readable.from(
        (async function* () {
          yield Buffer.from('first\n');
          await sleep(40);
          yield Buffer.from('second\n');
        })(),
      ),
    );
  }
}

@Module({
  imports: [DynamoMetricsModule.forRoot({ naming: 'component', labels: { region: 'eu' } })],
  controllers: [WorkerController],
})
class AppModule {}

for (const platform of PLATFORMS) {
  describe(
    `component profile, per-call and process labels (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let started: StartedApp | undefined;
      afterEach(async () => closeApp(started?.app));

      it("labels every worker series with the call's model and the process region", async () => {
        started = await startApp(platform, AppModule);
        const { port, app } = started;
        for (const m of ['Llama', 'llama', 'Qwen']) {
          assert.equal((await postJson(port, '/w/generate', { model: m })).status, 200);
        }
        const streamed = await postJson(port, '/w/stream', { model: 'Llama' });
        assert.equal(streamed.text, 'first\nsecond\n');
        const s = new Scrape(await app.get(DistributedRuntime).prometheusMetricsFmt());
        const at = (endpoint: string, m: string) => ({
          dynamo_namespace: 'dynamo',
          dynamo_component: 'backend',
          dynamo_endpoint: endpoint,
          region: 'eu',
          model: m,
        });
        assert.equal(s.get('dynamo_component_requests_total', at('generate', 'llama')), 2);
        assert.equal(s.get('dynamo_component_requests_total', at('generate', 'qwen')), 1);
        assert.equal(s.get('dynamo_component_inflight_requests', at('generate', 'llama')), 0);
        assert.equal(s.get('dynamo_component_cancellation_total', at('generate', 'qwen')), 0);
        assert.equal(
          s.get('dynamo_component_errors_total', {
            ...at('generate', 'qwen'),
            error_type: 'cancelled',
          }),
          0,
        );
        // Unary: the whole response is the first item, once per call.
        assert.equal(
          s.get('dynamo_component_time_to_first_response_seconds_count', at('generate', 'llama')),
          2,
        );
        // A stream: its first chunk went out before the 40 ms pause, the call ended after it.
        const stream = at('stream', 'llama');
        assert.equal(s.get('dynamo_component_time_to_first_response_seconds_count', stream), 1);
        const first = s.get('dynamo_component_time_to_first_response_seconds_sum', stream);
        const whole = s.get('dynamo_component_request_duration_seconds_sum', stream);
        assert.ok(first < whole, `first response ${first} s, duration ${whole} s`);
        assert.ok(s.get('dynamo_component_response_bytes_total', stream) >= 13);
        // Every worker series carries both labels; no classic name is left.
        for (const sample of s.samples) {
          if (
            !/^dynamo_component_(requests|inflight|request_|response_|errors|cancel|time_to)/.test(
              sample.name,
            )
          )
            continue;
          if (sample.name.includes('scrape') || sample.name.includes('uptime')) {
            assert.equal(sample.labels.region, 'eu', sample.name);
            continue;
          }
          assert.equal(sample.labels.region, 'eu', sample.name);
          assert.ok('model' in sample.labels, sample.name);
        }
        assert.ok(![...s.names()].some((n) => /^dynamo_(requests|concurrent|errors)/.test(n)));
      });
    },
  );
}
