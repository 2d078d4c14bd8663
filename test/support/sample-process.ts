import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv, killOnExit, watchChild } from './child-process';
import { Scrape } from './exposition-parser';
import { getPath } from './http-client';
import { freePort } from './net';
import { poll, StopWaiting } from './poll';

/**
 * The compiled sample app (dist/sample-app/main.js) as a real child process on loopback. Not a
 * test file.
 */

/** Repository root, from dist/test/support/sample-process.js. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const SAMPLE_MAIN = join(REPO_ROOT, 'dist', 'sample-app', 'main.js');
export const SAMPLE_LOAD = join(REPO_ROOT, 'dist', 'sample-app', 'load.js');

export interface SampleOptions {
  platform?: 'express' | 'fastify';
  /** Token delay of the fake backend (SAMPLE_TOKEN_DELAY_MS). */
  tokenDelayMs?: number;
  /**
   * DYN_SYSTEM_PORT: a number, 'free' (default: a free port picked here), 0 (the app picks
   * one; read back from GET /) or '' (set but empty: /metrics on the app port).
   */
  systemPort?: number | 'free' | '';
  /** Extra or overriding environment variables. */
  env?: Record<string, string | undefined>;
  startTimeoutMs?: number;
}

export interface SampleProcess {
  child: ChildProcess;
  platform: 'express' | 'fastify';
  appPort: number;
  /** The system server's port, when DYN_SYSTEM_PORT is set to a port. */
  readonly systemPort?: number;
  /** Port serving /metrics: the system port, or the app port when there is none. */
  readonly metricsPort: number;
  output(): string;
  metricsText(): Promise<string>;
  scrape(): Promise<Scrape>;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/sample-app/main.js` on 127.0.0.1 (app and system server) and waits until
 * GET / answers 200 (and /health, when there is a system port).
 */
export async function startSample(options: SampleOptions = {}): Promise<SampleProcess> {
  const platform = options.platform ?? 'express';
  const appPort = await freePort();
  let systemPort =
    options.systemPort === undefined || options.systemPort === 'free'
      ? await freePort()
      : options.systemPort === ''
        ? undefined
        : options.systemPort;
  const env = childEnv({
    PORT: String(appPort),
    HOST: '127.0.0.1',
    DYN_SYSTEM_HOST: '127.0.0.1',
    DYN_SYSTEM_PORT: systemPort === undefined ? '' : String(systemPort),
    SAMPLE_PLATFORM: platform,
    SAMPLE_TOKEN_DELAY_MS: String(options.tokenDelayMs ?? 5),
    ...options.env,
  });
  const child = spawn(process.execPath, [SAMPLE_MAIN], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  const sample: SampleProcess = {
    child,
    platform,
    appPort,
    get systemPort() {
      return systemPort;
    },
    get metricsPort() {
      return systemPort ?? appPort;
    },
    output: watched.output,
    async metricsText() {
      const res = await getPath(sample.metricsPort, '/metrics');
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
      return res.text;
    },
    async scrape() {
      return new Scrape(await sample.metricsText());
    },
    stop: watched.stop,
  };
  try {
    await poll(
      () =>
        `the sample app (${platform}) on 127.0.0.1:${appPort}; output so far:\n${watched.output()}`,
      async () => {
        if (watched.exited()) {
          throw new StopWaiting(`sample app ${watched.exited()}:\n${watched.output()}`);
        }
        const root = await getPath(appPort, '/').catch(() => undefined);
        if (root?.status !== 200) return false;
        if (systemPort === 0) {
          // DYN_SYSTEM_PORT=0: the port the system server got, as GET / reports it.
          const health = (JSON.parse(root.text) as { health?: string | null }).health;
          const port = health ? Number(new URL(health).port) : NaN;
          if (!(port > 0)) throw new StopWaiting(`GET / gave no system port: ${root.text}`);
          systemPort = port;
        }
        if (systemPort === undefined) return true;
        const health = await getPath(systemPort, '/health').catch(() => undefined);
        return health?.status === 200;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 50 },
    );
  } catch (err) {
    await sample.stop();
    throw err;
  }
  return sample;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(scrape: Scrape, name: string, match: Record<string, string> = {}): number {
  return scrape.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);
}

/** Every sample named `name`, as `{labels} value` lines (for failure messages). */
export function listSeries(scrape: Scrape, name: string): string {
  return scrape.samples
    .filter((s) => s.name === name)
    .map((s) => `${JSON.stringify(s.labels)} ${s.value}`)
    .join('\n');
}

/** Runs `npm run sample:load` (the compiled load.ts) against a sample; its exit code and output. */
export function runSampleLoad(
  appPort: number,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SAMPLE_LOAD], {
      env: childEnv({ SAMPLE_URL: `http://127.0.0.1:${appPort}`, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.on('close', (code) => resolve({ code, output }));
  });
}
