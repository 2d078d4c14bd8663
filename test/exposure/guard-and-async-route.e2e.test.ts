import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CanActivate,
  Controller,
  DynamicModule,
  ExecutionContext,
  Get,
  Injectable,
  Module,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  DynamoMetricsController,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  isDynamoMetricsRoute,
  SystemServer,
} from '../../src/internal';
import { withEnv } from '../support/env';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { PLATFORMS, startApp } from '../support/nest-app';

/**
 * The in-app metrics route as users meet it: behind their global guards (`isDynamoMetricsRoute`
 * lets it through in one line, on Express and Fastify, with forRoot and forRootAsync), and with
 * forRootAsync() not mounted at all (no route, no `Mapped` log line) when its options serve
 * metrics elsewhere or not at all.
 */

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

/** A typical global guard: everything needs a token, but the scraper gets through. */
@Injectable()
class TokenGuard implements CanActivate {
  readonly seen: string[] = [];
  canActivate(context: ExecutionContext): boolean {
    this.seen.push(`${context.getClass().name}:${isDynamoMetricsRoute(context)}`);
    if (isDynamoMetricsRoute(context)) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    return req.headers['x-token'] === 'ok';
  }
}

const appModule = (metrics: DynamicModule): unknown => {
  @Module({
    imports: [metrics],
    controllers: [PingController],
    providers: [TokenGuard, { provide: APP_GUARD, useExisting: TokenGuard }],
  })
  class AppModule {}
  return AppModule;
};

const definitions: Array<[string, () => DynamicModule]> = [
  ['forRoot', () => DynamoMetricsModule.forRoot({ system: { enabled: true } })],
  [
    'forRootAsync',
    () => DynamoMetricsModule.forRootAsync({ useFactory: () => ({ system: { enabled: true } }) }),
  ],
];

describe('isDynamoMetricsRoute() in a global guard', () => {
  for (const platform of PLATFORMS) {
    for (const [name, definition] of definitions) {
      it(`${platform}, ${name}: /metrics passes, other routes need the token`, async () => {
        await withEnv({}, async () => {
          const { app, url } = await startApp(platform, appModule(definition()));
          try {
            const metrics = await get(`${url}/metrics`);
            assert.equal(metrics.status, 200);
            assert.match(metrics.text, /^# HELP dynamo_system_uptime_seconds /m);
            assert.equal((await get(`${url}/ping`)).status, 403);
            assert.equal((await get(`${url}/ping`, { 'x-token': 'ok' })).status, 200);
            // The guard saw the mounted subclass, which `===` would not match.
            const guard = app.get(TokenGuard);
            assert.deepEqual(guard.seen, [
              'DynamoMetricsController:true',
              'PingController:false',
              'PingController:false',
            ]);
          } finally {
            await app.close();
          }
        });
      });
    }
  }

  it('recognises the base class and its subclasses only', () => {
    const contextOf = (cls: unknown) => ({ getClass: () => cls }) as unknown as ExecutionContext;
    class Mounted extends DynamoMetricsController {}
    assert.equal(isDynamoMetricsRoute(contextOf(DynamoMetricsController)), true);
    assert.equal(isDynamoMetricsRoute(contextOf(Mounted)), true);
    assert.equal(isDynamoMetricsRoute(contextOf(PingController)), false);
    assert.equal(isDynamoMetricsRoute(contextOf(undefined)), false);
  });
});

describe('forRootAsync(): the in-app route is mounted only when it serves', () => {
  const mappedMetrics = (logger: CapturingLogger) =>
    logger.lines.filter((l) => /\/metrics/.test(l.message) && l.context !== 'DynamoMetrics');

  const cases: Array<[string, DynamoMetricsModuleOptions['system'], boolean]> = [
    ['enabled, no port: mounted', { enabled: true }, true],
    ['enabled, system port 0: not mounted', { enabled: true, port: 0, host: '127.0.0.1' }, false],
    ['disabled: not mounted', { enabled: false }, false],
  ];
  for (const platform of PLATFORMS) {
    for (const [title, system, mounted] of cases) {
      it(`${platform}: ${title}`, async () => {
        await withEnv({}, async () => {
          const logger = new CapturingLogger();
          const module = appModule(
            DynamoMetricsModule.forRootAsync({ useFactory: async () => ({ system }) }),
          );
          const { app, url } = await startApp(platform, module, { logger });
          try {
            assert.equal((await get(`${url}/metrics`)).status, mounted ? 200 : 404);
            const lines = mappedMetrics(logger).map((l) => `${l.context}: ${l.message}`);
            if (mounted) {
              assert.ok(
                lines.some((l) => l.startsWith('RouterExplorer: Mapped {/metrics, GET}')),
                lines.join('\n'),
              );
            } else {
              assert.deepEqual(lines, []);
            }
            const port = app.get(SystemServer).port;
            assert.equal(port !== undefined, system?.port !== undefined);
            if (port !== undefined) {
              assert.equal((await get(`${app.get(SystemServer).url!}/metrics`)).status, 200);
            }
          } finally {
            await app.close();
          }
        });
      });
    }
  }
});
