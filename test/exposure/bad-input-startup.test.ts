import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { DynamoMetricsError, DynamoMetricsModule, SystemServer } from '../../src/internal';
import { ChildResult, runNode } from '../support/child-process';
import { EnvVars, withEnv } from '../support/env';
import { createApp, PLATFORMS } from '../support/nest-app';
import { occupy, release } from '../support/net';
import { fixtureScript } from './fixtures/script';
import { BAD, assertNamesIt } from './fixtures/bad-values';

/**
 * Bad configuration stops start-up with a message naming the variable and the accepted values:
 * in-process through the module, and in a real child process (the compiled fixture app) that must
 * exit non-zero without ever saying it started.
 */

describe('in-process: a bad value stops the module', () => {
  // Defining the module never throws (a throw there is a bare stack at import); creating the
  // app does, as Nest reports start-up errors. Express and Fastify alternate over the values.
  BAD.forEach((b, i) => {
    const platform = PLATFORMS[i % PLATFORMS.length]!;
    it(`${platform}: forRoot() is defined, NestFactory.create fails with the message: ${b.name}=${JSON.stringify(b.value)}`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value }, async () => {
        const dynamo = DynamoMetricsModule.forRoot();
        @Module({ imports: [dynamo] })
        class AppModule {}
        await assert.rejects(createApp(platform, AppModule), (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, String(err));
          assertNamesIt(err.message, b);
          return true;
        });
      });
    });
  });

  for (const platform of PLATFORMS) {
    it(`${platform}: forRootAsync() fails NestFactory.create with the message`, async () => {
      const b = BAD[0]!;
      await withEnv({ DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value }, async () => {
        @Module({ imports: [DynamoMetricsModule.forRootAsync({ useFactory: () => ({}) })] })
        class AppModule {}
        await assert.rejects(createApp(platform, AppModule), (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, String(err));
          assertNamesIt(err.message, b);
          return true;
        });
      });
    });
  }
});

/** Runs the compiled fixture app with `vars`; at most `limit` children at once. */
async function runFixtures(
  jobs: Array<{ call: string; vars: EnvVars }>,
  limit = 2,
): Promise<ChildResult[]> {
  const results: ChildResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runNode(fixtureScript(jobs[i]!.call), jobs[i]!.vars, 60000);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function assertFailedStartup(r: ChildResult, what: string, ...mustSay: string[]): void {
  const log = `${what}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.equal(r.timedOut, false, `still running: ${log}`);
  assert.notEqual(r.code, 0, `exit code: ${log}`);
  assert.notEqual(r.code, null, `killed by ${r.signal}: ${log}`);
  assert.ok(!r.stdout.includes('STARTED'), `must not say it started: ${log}`);
  assert.ok(!r.stdout.includes('successfully started'), `Nest must not say it started: ${log}`);
  for (const text of mustSay) assert.ok(r.stderr.includes(text), `stderr says ${text}: ${log}`);
}

describe('child process: a bad value stops start-up', () => {
  // Each child loads Nest, which is slow; the values alternate between Express and Fastify so
  // that every value and both platforms are covered without paying for the full product.
  it('forRoot(): every bad value exits 1 naming it, no stack at import (Express and Fastify alternate)', async () => {
    const jobs = BAD.map((b, i) => {
      const platform = PLATFORMS[i % PLATFORMS.length]!;
      return {
        b,
        call: `start(${JSON.stringify(platform)})`,
        vars: { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_HOST: '127.0.0.1', [b.name]: b.value },
      };
    });
    const results = await runFixtures(jobs);
    results.forEach((r, i) => {
      const { b, call } = jobs[i]!;
      assertFailedStartup(
        r,
        `${call} ${b.name}=${b.value}`,
        `${b.name}=${JSON.stringify(b.value)} is not valid`,
        b.accepted,
      );
      // Reported by Nest as a start-up error, not thrown while the module was being defined.
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\[ExceptionHandler\]/, r.stderr);
    });
  });

  it('forRootAsync(): bad values fail NestFactory.create; Nest logs the message, exit 1', async () => {
    const picked = [BAD[4]!, BAD[7]!];
    const jobs = picked.map((b, i) => ({
      b,
      call: `start(${JSON.stringify(PLATFORMS[i % PLATFORMS.length]!)}, 'forRootAsync')`,
      vars: { DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value },
    }));
    const results = await runFixtures(jobs);
    results.forEach((r, i) => {
      const { b, call } = jobs[i]!;
      assertFailedStartup(
        r,
        `${call} ${b.name}=${b.value}`,
        `${b.name}=${JSON.stringify(b.value)}`,
      );
      assert.equal(r.code, 1);
    });
  });
});

describe('system port already in use', () => {
  for (const platform of PLATFORMS) {
    for (const host of ['127.0.0.1', undefined]) {
      it(`${platform}: in-process, DYN_SYSTEM_HOST=${host ?? '(unset: 0.0.0.0)'}: start-up fails naming the port`, async () => {
        const blocker = await occupy(0, '127.0.0.1');
        const port = (blocker.address() as { port: number }).port;
        try {
          await withEnv(
            { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: String(port), DYN_SYSTEM_HOST: host },
            async () => {
              @Module({ imports: [DynamoMetricsModule.forRoot()] })
              class AppModule {}
              const app = await createApp(platform, AppModule);
              try {
                await assert.rejects(app.listen(0, '127.0.0.1'), (err: unknown) => {
                  assert.ok(err instanceof DynamoMetricsError, String(err));
                  assert.ok(err.message.includes(`${host ?? '0.0.0.0'}:${port}`), err.message);
                  assert.match(err.message, /already in use/);
                  assert.match(err.message, /DYN_SYSTEM_PORT/);
                  return true;
                });
                assert.equal(app.get(SystemServer).port, undefined);
                // The application's own server never started listening.
                assert.equal(app.getHttpServer().listening, false);
              } finally {
                await app.close();
              }
            },
          );
        } finally {
          await release(blocker);
        }
      });
    }
  }

  it('child process: exits non-zero naming the port, Express and Fastify', async () => {
    const blocker = await occupy(0, '127.0.0.1');
    const port = (blocker.address() as { port: number }).port;
    try {
      const jobs = PLATFORMS.map((platform) => ({
        call: `start(${JSON.stringify(platform)})`,
        vars: {
          DYN_SYSTEM_ENABLED: 'true',
          DYN_SYSTEM_PORT: String(port),
          DYN_SYSTEM_HOST: '127.0.0.1',
        },
      }));
      const results = await runFixtures(jobs);
      results.forEach((r, i) => {
        assertFailedStartup(r, jobs[i]!.call, `127.0.0.1:${port}`, 'already in use');
      });
    } finally {
      await release(blocker);
    }
  });
});
