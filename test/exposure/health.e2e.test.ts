import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { DynamoEndpoint, DynamoMetricsModule, SystemServer } from '../../src';
import { runNode } from '../support/child-process';
import { EnvVars, withEnv } from '../support/env';
import { gate } from '../support/gate';
import { get } from '../support/http-client';
import { createApp, PLATFORMS } from '../support/nest-app';
import { occupy, release } from '../support/net';
import { poll } from '../support/poll';
import { fixtureScript } from './fixtures/script';

/**
 * /health on the system server through the application's life: while it starts (between the
 * system server's onModuleInit and onApplicationBootstrap), once bootstrapped, while it shuts
 * down, and after close (port free, no handle left behind).
 */

type Report = { status: string; uptime: number; endpoints: Record<string, string> };

const SYSTEM: EnvVars = {
  DYN_SYSTEM_ENABLED: 'true',
  DYN_SYSTEM_PORT: '0',
  DYN_SYSTEM_HOST: '127.0.0.1',
};

/**
 * An app module with a decorated `generate` handler and, optionally, providers that hold
 * start-up (onModuleInit) or shutdown (onApplicationShutdown) open until their gate opens.
 * The app module is the root, so its onModuleInit runs after the metrics module's (system
 * server up) and its onApplicationShutdown before the metrics module's (system server still up,
 * HealthService.beforeApplicationShutdown already done).
 */
function appModule(hold: { startup?: Promise<void>; shutdown?: Promise<void> } = {}): unknown {
  @Controller()
  class WorkController {
    @Get('generate')
    @DynamoEndpoint()
    generate(): string {
      return 'ok';
    }
  }
  @Injectable()
  class Hold implements OnModuleInit, OnApplicationShutdown {
    async onModuleInit(): Promise<void> {
      await hold.startup;
    }
    async onApplicationShutdown(): Promise<void> {
      await hold.shutdown;
    }
  }
  @Module({
    imports: [DynamoMetricsModule.forRoot()],
    controllers: [WorkController],
    providers: [Hold],
  })
  class AppModule {}
  return AppModule;
}

async function health(base: string): Promise<{ status: number; body: string; report: Report }> {
  const res = await get(`${base}/health`);
  assert.equal(res.headers['content-type'], 'application/json');
  return { status: res.status, body: res.text, report: JSON.parse(res.text) as Report };
}

/** Starts app.init() with start-up held open; resolves once the system server listens. */
async function startHeld(
  app: INestApplication,
): Promise<{ init: Promise<unknown>; base: string; failed: () => unknown }> {
  let error: unknown;
  const init = app.init().catch((err: unknown) => (error = err));
  await poll(
    'the system server to listen',
    () => error !== undefined || app.get(SystemServer).port !== undefined,
  );
  if (error) throw error;
  return { init, base: app.get(SystemServer).url!, failed: () => error };
}

const READY_BODY =
  /^\{"status":"ready","uptime":\d+(\.\d+)?(e-\d+)?,"endpoints":\{"generate":"ready"\}\}$/;

describe('/health through start-up', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: no system server before init; ready after app.init()`, async () => {
      await withEnv(SYSTEM, async () => {
        const app = await createApp(platform, appModule());
        try {
          // NestFactory.create builds the providers; the server starts in onModuleInit.
          assert.equal(app.get(SystemServer).port, undefined);
          await app.init();
          const base = app.get(SystemServer).url!;
          const h = await health(base);
          assert.equal(h.status, 200);
          assert.match(h.body, READY_BODY);
        } finally {
          await app.close();
        }
      });
    });

    for (const starting of [undefined, 'notready', 'ready'] as const) {
      it(`${platform}: DYN_SYSTEM_STARTING_HEALTH_STATUS=${starting ?? '(unset)'} while starting`, async () => {
        await withEnv({ ...SYSTEM, DYN_SYSTEM_STARTING_HEALTH_STATUS: starting }, async () => {
          const hold = gate();
          const app = await createApp(platform, appModule({ startup: hold.wait() }));
          let init: Promise<unknown> = Promise.resolve();
          try {
            const held = await startHeld(app);
            init = held.init;
            const during = await health(held.base);
            if (starting === 'ready') {
              assert.equal(during.status, 200, during.body);
              assert.equal(during.report.status, 'ready');
            } else {
              assert.equal(during.status, 503, during.body);
              assert.equal(during.report.status, 'notready');
            }
            assert.equal(typeof during.report.uptime, 'number');
            // Endpoints are not ready before bootstrap, whatever the starting status.
            assert.deepEqual(during.report.endpoints, { generate: 'notready' });
            // /live and /metrics answer while starting.
            assert.equal((await get(`${held.base}/live`)).status, 200);
            assert.equal((await get(`${held.base}/metrics`)).status, 200);

            hold.open();
            await init;
            assert.equal(held.failed(), undefined);
            const after = await health(held.base);
            assert.equal(after.status, 200);
            assert.match(after.body, READY_BODY);
          } finally {
            hold.open();
            await init;
            await app.close();
          }
        });
      });
    }

    it(`${platform}: DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS='["generate"]' is 503 until bootstrapped`, async () => {
      // The starting status says ready, but the endpoint list decides.
      await withEnv(
        {
          ...SYSTEM,
          DYN_SYSTEM_STARTING_HEALTH_STATUS: 'ready',
          DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["generate"]',
        },
        async () => {
          const hold = gate();
          const app = await createApp(platform, appModule({ startup: hold.wait() }));
          let init: Promise<unknown> = Promise.resolve();
          try {
            const held = await startHeld(app);
            init = held.init;
            const during = await health(held.base);
            assert.equal(during.status, 503);
            assert.match(
              during.body,
              /^\{"status":"notready","uptime":[0-9.e-]+,"endpoints":\{"generate":"notready"\}\}$/,
            );
            hold.open();
            await init;
            const after = await health(held.base);
            assert.equal(after.status, 200);
            assert.match(after.body, READY_BODY);
            assert.ok(after.report.uptime > during.report.uptime);
          } finally {
            hold.open();
            await init;
            await app.close();
          }
        },
      );
    });

    for (const list of ['["missing"]', '["generate","missing"]']) {
      it(`${platform}: DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS='${list}' (no such endpoint) stays 503`, async () => {
        await withEnv({ ...SYSTEM, DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: list }, async () => {
          const app = await createApp(platform, appModule());
          try {
            await app.init();
            const h = await health(app.get(SystemServer).url!);
            assert.equal(h.status, 503);
            assert.equal(h.report.status, 'notready');
            assert.deepEqual(h.report.endpoints, { generate: 'ready', missing: 'notready' });
          } finally {
            await app.close();
          }
        });
      });
    }
  }
});

describe('/health through shutdown', () => {
  for (const platform of PLATFORMS) {
    for (const list of [undefined, '["generate"]']) {
      it(`${platform}: notready during shutdown, port free after close (endpoint list ${list ?? 'unset'})`, async () => {
        await withEnv({ ...SYSTEM, DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: list }, async () => {
          const hold = gate();
          const app = await createApp(platform, appModule({ shutdown: hold.wait() }));
          let closing: Promise<void> | undefined;
          try {
            await app.listen(0, '127.0.0.1');
            const system = app.get(SystemServer);
            const port = system.port!;
            const base = system.url!;
            const appBase = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
            assert.equal((await get(`${appBase}/generate`)).status, 200);
            assert.equal((await health(base)).status, 200);

            closing = app.close();
            // beforeApplicationShutdown has run once the hold is reached: /health says so.
            await poll('/health 503', async () => (await get(`${base}/health`)).status === 503);
            const during = await health(base);
            assert.equal(during.report.status, 'notready');
            assert.deepEqual(during.report.endpoints, { generate: 'notready' });
            // The system server itself is still up until onApplicationShutdown.
            assert.equal((await get(`${base}/live`)).status, 200);
            assert.equal((await get(`${base}/metrics`)).status, 200);

            hold.open();
            await closing;
            closing = undefined;
            assert.equal(system.port, undefined, 'no port after close');
            assert.equal(system.url, undefined);
            await assert.rejects(fetch(`${base}/health`), 'nothing answers after close');
            // Binding the port ourselves proves it was released.
            await release(await occupy(port));
          } finally {
            hold.open();
            await (closing ?? app.close());
          }
        });
      });
    }
  }
});

describe('close leaves no handle behind (child process)', () => {
  for (const platform of PLATFORMS) {
    for (const mode of ['system', 'in-app'] as const) {
      it(`${platform}, ${mode}: the process exits by itself after app.close()`, async () => {
        const env: EnvVars =
          mode === 'system' ? SYSTEM : { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_HOST: '127.0.0.1' };
        let pid: number | undefined;
        let onStarted!: (line: string) => void;
        const started = new Promise<string>((resolve) => (onStarted = resolve));
        let out = '';
        const run = runNode(
          fixtureScript(`start(${JSON.stringify(platform)})`),
          env,
          60000,
          (chunk) => {
            out += chunk;
            const m = /STARTED app=\d+ system=\S+/.exec(out);
            if (m) onStarted(m[0]);
          },
          (child) => (pid = child.pid),
        );
        const line = await Promise.race([
          started,
          run.then((r) => {
            throw new Error(`fixture ended before starting: ${r.code}\n${r.stdout}\n${r.stderr}`);
          }),
        ]);
        const [, appPort, systemPort] = /app=(\d+) system=(\S+)/.exec(line)!;
        const appBase = `http://127.0.0.1:${appPort}`;
        // Keep-alive connections from this process stay open across the close.
        assert.equal((await get(`${appBase}/generate`)).status, 200);
        if (mode === 'system') {
          const sys = `http://127.0.0.1:${systemPort}`;
          assert.equal((await get(`${sys}/metrics`)).status, 200);
          assert.equal((await get(`${sys}/health`)).status, 200);
        } else {
          assert.equal(systemPort, 'none');
          assert.equal((await get(`${appBase}/metrics`)).status, 200);
        }
        const closeAt = Date.now();
        process.kill(pid!, 'SIGUSR2');
        const result = await run;
        const exitMs = Date.now() - closeAt;
        assert.equal(result.timedOut, false, `still running 60 s after start:\n${result.stdout}`);
        assert.equal(result.signal, null);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^CLOSED$/m);
        // Kept on purpose, the one wall-clock bound left: a connection held open would keep the
        // process alive until its keep-alive timeout (Fastify: 72 s), which only time can show.
        // 10 s is >10x the usual close-to-exit time and far below that timeout.
        assert.ok(exitMs < 10000, `exited ${exitMs} ms after the close signal`);
        await release(await occupy(Number(appPort)));
        if (mode === 'system') await release(await occupy(Number(systemPort)));
      });
    }
  }
});
