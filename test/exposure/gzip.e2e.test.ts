import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { Controller, Get, Module } from '@nestjs/common';
import { DynamoEndpoint, DynamoMetricsModule, SystemServer } from '../../src';
import {
  promtoolCheckMetrics,
  pythonSampleCount,
  requireBinary,
  requirePythonPrometheusClient,
} from '../support/binaries';
import { OPENMETRICS_ACCEPT, OPENMETRICS_TYPE, PROMETHEUS_TYPE } from '../support/content-types';
import { EnvVars, withEnv } from '../support/env';
import { http, HttpResult } from '../support/http-client';
import { Platform, startApp } from '../support/nest-app';

/**
 * gzip on the served /metrics, as Prometheus asks for it (`Accept-Encoding: gzip`): on the
 * system server and in-app on Express and Fastify, in both formats. The decoded body is the
 * exposition the same scrape sends uncompressed (the scrape's own counters aside), and parses
 * with promtool and both of Python's parsers; HEAD and the headers stay right.
 */

const MODES: Array<{ name: string; platform: Platform; env: EnvVars }> = [
  {
    name: 'system server',
    platform: 'express',
    env: { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0', DYN_SYSTEM_HOST: '127.0.0.1' },
  },
  { name: 'in-app, Express', platform: 'express', env: { DYN_SYSTEM_ENABLED: 'true' } },
  { name: 'in-app, Fastify', platform: 'fastify', env: { DYN_SYSTEM_ENABLED: 'true' } },
];

function appModule(): unknown {
  @Controller()
  class ModelController {
    @Get('models/:name')
    @DynamoEndpoint({ component: 'router' })
    route(): string {
      return 'ok';
    }
  }
  @Module({ imports: [DynamoMetricsModule.forRoot()], controllers: [ModelController] })
  class AppModule {}
  return AppModule;
}

/** The exposition without the families a scrape changes itself (scrape count, its duration, uptime). */
const stable = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^(# (HELP|TYPE|UNIT) )?dynamo_system_/.test(line))
    .join('\n');

function assertGzipHeaders(res: HttpResult, contentType: string): void {
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], contentType);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.equal(res.headers.vary, 'Accept, Accept-Encoding');
  assert.equal(res.headers['content-length'], String(res.body.length));
}

describe('gzip-encoded /metrics', () => {
  for (const { name, platform, env } of MODES) {
    it(`${name}: decodes to the plain exposition, parses with promtool and Python`, async (t) => {
      await withEnv(env, async () => {
        const { app, port: appPort } = await startApp(platform, appModule());
        try {
          for (let i = 0; i < 50; i++) await http(appPort, 'GET', `/models/m${i}`);
          const port = name === 'system server' ? app.get(SystemServer).port! : appPort;
          for (const [accept, contentType] of [
            [undefined, PROMETHEUS_TYPE],
            [OPENMETRICS_ACCEPT, OPENMETRICS_TYPE],
          ] as const) {
            const headers: Record<string, string> = accept ? { accept } : {};
            const zipped = await http(port, 'GET', '/metrics', undefined, {
              ...headers,
              'accept-encoding': 'gzip, deflate',
            });
            const plain = await http(port, 'GET', '/metrics', undefined, headers);
            assertGzipHeaders(zipped, contentType);
            assert.equal(plain.headers['content-encoding'], undefined);
            assert.equal(plain.headers.vary, 'Accept, Accept-Encoding');
            assert.equal(plain.headers['content-length'], String(plain.body.length));
            const decoded = gunzipSync(zipped.body).toString('utf8');
            assert.equal(stable(decoded), stable(plain.text));
            assert.match(decoded, /^dynamo_requests_total\{.*endpoint="route"\} 50$/m);
            assert.ok(zipped.body.length * 3 < plain.body.length, 'compressed');

            const python = requirePythonPrometheusClient(t);
            if (python) {
              const format = accept ? 'om' : 'text';
              assert.equal(
                pythonSampleCount(python, decoded, format),
                pythonSampleCount(python, plain.text, format),
              );
            }
            const promtool = requireBinary(t, 'promtool');
            // promtool 2.42 reads the Prometheus text format only.
            if (promtool && !accept) {
              assert.deepEqual(promtoolCheckMetrics(promtool, decoded), { status: 0, output: '' });
            }
          }

          const head = await http(port, 'HEAD', '/metrics', undefined, {
            'accept-encoding': 'gzip',
          });
          assert.equal(head.status, 200);
          assert.equal(head.headers['content-encoding'], 'gzip');
          assert.equal(head.headers.vary, 'Accept, Accept-Encoding');
          assert.equal(head.body.length, 0);
          // A length for HEAD would have to be the compressed body's: none is sent rather than
          // compressing a body nobody reads.
          assert.equal(head.headers['content-length'], undefined);
          const refused = await http(port, 'GET', '/metrics', undefined, {
            'accept-encoding': 'gzip;q=0, br',
          });
          assert.equal(refused.headers['content-encoding'], undefined);
          assert.match(refused.text, /^dynamo_requests_total\{/m);
        } finally {
          await app.close();
        }
      });
    });
  }
});
