import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { requireBinary } from '../support/binaries';
import { childEnv, watchChild } from '../support/child-process';
import { http } from '../support/http-client';
import { poll, StopWaiting } from '../support/poll';
import { fixtureScript } from './fixtures/script';

/**
 * Issue 24, item 7: a system server that cannot be starved. The fixture app runs in a child
 * process limited to 1,024 descriptors (prlimit); 2,000 sockets that connect to the system
 * port and never send a byte must leave the application's port answering (the server holds at
 * most its 256 connections and closes the rest at once), and /metrics must answer again once
 * the idle timeout has closed the silent ones.
 */

const SILENT = 2000;
const IDLE_MS = 4000;

/** Opens `count` sockets that send nothing; resolves once each has connected or failed. */
async function silentSockets(port: number, count: number) {
  let closed = 0;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.once('connect', () => resolve());
          socket.once('error', () => resolve());
          socket.once('close', () => {
            closed++;
            resolve();
          });
        }),
    ),
  );
  return { closed: () => closed, destroy: () => sockets.forEach((s) => s.destroy()) };
}

describe('a system server that idle sockets cannot starve', () => {
  it(`${SILENT} silent sockets, 1,024 descriptors: the app answers; /metrics again after the idle timeout`, async (t) => {
    const prlimit = requireBinary(t, 'prlimit');
    if (!prlimit) return;
    const options = { system: { connections: { idleTimeoutMs: IDLE_MS } } };
    const child = spawn(
      prlimit,
      [
        '--nofile=1024:1024',
        process.execPath,
        '-e',
        fixtureScript(`start('express', 'forRoot', ${JSON.stringify(options)})`),
      ],
      {
        env: childEnv({
          DYN_SYSTEM_ENABLED: 'true',
          DYN_SYSTEM_PORT: '0',
          DYN_SYSTEM_HOST: '127.0.0.1',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const watched = watchChild(child);
    let silent: Awaited<ReturnType<typeof silentSockets>> | undefined;
    try {
      const [appPort, systemPort] = await poll(
        () => `the app to start; output:\n${watched.output()}`,
        () => {
          if (watched.exited()) throw new StopWaiting(`${watched.exited()}:\n${watched.output()}`);
          const m = /STARTED app=(\d+) system=(\d+)/.exec(watched.output());
          return m ? [Number(m[1]), Number(m[2])] : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal((await http(systemPort, 'GET', '/metrics')).status, 200);

      const opened = Date.now();
      silent = await silentSockets(systemPort, SILENT);
      const app = await http(appPort, 'GET', '/generate', undefined, {}, { timeoutMs: 5000 });
      assert.equal(app.status, 200, 'the application port answers');
      assert.deepEqual(JSON.parse(app.text), { ok: true });
      // Past its 256 connections the server closes the rest as they come.
      const { closed } = silent;
      await poll(
        `the sockets past 256 to be closed (${closed()} so far)`,
        () => closed() >= SILENT - 256,
      );
      // The 256 held sockets are the system server's whole allowance meanwhile.
      const refused = await http(systemPort, 'GET', '/metrics').catch((err: Error) => err);
      assert.ok(refused instanceof Error || !refused.complete, 'no slot left on the system port');

      await poll(
        `/metrics to answer again within the idle timeout (${IDLE_MS} ms)`,
        async () =>
          (await http(systemPort, 'GET', '/metrics').catch(() => undefined))?.status === 200,
        { timeoutMs: IDLE_MS + 3000, intervalMs: 100 },
      );
      assert.ok(Date.now() - opened < IDLE_MS + 3000);
      await poll(`every silent socket closed (${closed()} so far)`, () => closed() === SILENT);
      assert.equal(watched.exited(), undefined, `still running:\n${watched.output()}`);
    } finally {
      silent?.destroy();
      await watched.stop();
    }
  });
});
