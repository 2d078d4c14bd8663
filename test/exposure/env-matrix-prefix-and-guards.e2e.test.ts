import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import { DynamoMetricsController, SystemServer } from '../../src/internal';
import { PROMETHEUS_TYPE } from '../support/content-types';
import { withEnv } from '../support/env';
import { get } from '../support/http-client';
import { PLATFORMS, startApp } from '../support/nest-app';
import { UPTIME, LOOPBACK, forRoot, forRootWith } from './fixtures/env-matrix';

/**
 * The in-app /metrics route and the system server under a global prefix, a global guard and a
 * response-wrapping interceptor.
 */

describe('global prefix', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: setGlobalPrefix('api') moves the in-app route to /api/metrics`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const { app, url } = await startApp(platform, forRoot(), {
          configure: (a) => a.setGlobalPrefix('api'),
        });
        try {
          assert.equal((await get(`${url}/metrics`)).status, 404);
          const moved = await get(`${url}/api/metrics`);
          assert.equal(moved.status, 200);
          assert.equal(moved.headers['content-type'], PROMETHEUS_TYPE);
          assert.ok(moved.text.includes(UPTIME));
        } finally {
          await app.close();
        }
      });
    });

    for (const exclude of ['metrics', '/metrics']) {
      it(`${platform}: setGlobalPrefix('api', { exclude: ['${exclude}'] }) keeps /metrics`, async () => {
        await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
          const { app, url } = await startApp(platform, forRoot(), {
            configure: (a) => a.setGlobalPrefix('api', { exclude: [exclude] }),
          });
          try {
            const kept = await get(`${url}/metrics`);
            assert.equal(kept.status, 200);
            assert.equal(kept.headers['content-type'], PROMETHEUS_TYPE);
            assert.equal((await get(`${url}/api/metrics`)).status, 404);
            // Other routes still get the prefix.
            assert.equal((await get(`${url}/api/generate`)).status, 200);
            assert.equal((await get(`${url}/generate`)).status, 404);
          } finally {
            await app.close();
          }
        });
      });
    }

    it(`${platform}: a global prefix does not touch the system server`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const { app, url } = await startApp(platform, forRoot(), {
          configure: (a) => a.setGlobalPrefix('api'),
        });
        try {
          const base = app.get(SystemServer).url!;
          assert.equal((await get(`${base}/metrics`)).status, 200);
          assert.equal((await get(`${base}/api/metrics`)).status, 404);
          assert.equal((await get(`${url}/api/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
    });
  }
});

@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** The workaround for the README: let the metrics controller through a global guard. */
@Injectable()
class DenyAllButMetrics implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getClass().prototype instanceof DynamoMetricsController;
  }
}

/** A common response-wrapping interceptor (`{ data: ... }`). */
@Injectable()
class WrapInData implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

describe('global guards and interceptors', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: an APP_GUARD that denies everything blocks in-app /metrics (403)`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAll }]);
        const { app, url } = await startApp(platform, module);
        try {
          const res = await get(`${url}/metrics`);
          assert.equal(res.status, 403);
          assert.ok(!res.text.includes(UPTIME));
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: a guard can exempt DynamoMetricsController by class`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAllButMetrics }]);
        const { app, url } = await startApp(platform, module);
        try {
          assert.equal((await get(`${url}/metrics`)).status, 200);
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: the system server is not behind Nest guards`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAll }]);
        const { app, url } = await startApp(platform, module);
        try {
          const base = app.get(SystemServer).url!;
          assert.equal((await get(`${base}/metrics`)).status, 200);
          assert.equal((await get(`${base}/health`)).status, 200);
          assert.equal((await get(`${base}/live`)).status, 200);
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: the system server is not behind Nest interceptors`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const module = forRootWith([{ provide: APP_INTERCEPTOR, useClass: WrapInData }]);
        const { app } = await startApp(platform, module);
        try {
          const res = await get(`${app.get(SystemServer).url!}/metrics`);
          assert.equal(res.status, 200);
          assert.ok(res.text.startsWith('# HELP'));
        } finally {
          await app.close();
        }
      });
    });

    // The controller sends the body itself, so response-shaping interceptors cannot rewrite it.
    it(`${platform}: a response-wrapping APP_INTERCEPTOR leaves in-app /metrics intact`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_INTERCEPTOR, useClass: WrapInData }]);
        const { app, url } = await startApp(platform, module);
        try {
          const res = await get(`${url}/metrics`);
          assert.equal(res.status, 200, res.text.slice(0, 200));
          assert.ok(res.text.startsWith('# HELP'), res.text.slice(0, 200));
        } finally {
          await app.close();
        }
      });
    });
  }
});
