import { ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Scrape } from './exposition-parser';
import { freePort, sleep } from './net';

export { freePort, sleep } from './net';

/**
 * Helpers for end-to-end tests that run the compiled sample app (dist/sample-app/main.js) as a
 * real child process on loopback and talk to it over real sockets. Not a test file.
 */

/** Repository root, from dist/test/support/sample-process.js. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const SAMPLE_MAIN = join(REPO_ROOT, 'dist', 'sample-app', 'main.js');
export const SAMPLE_LOAD = join(REPO_ROOT, 'dist', 'sample-app', 'load.js');

/** Variables the library and the sample read; the child gets only what a test gives it. */
const CONTROLLED_VARS = [
  'DYN_SYSTEM_ENABLED',
  'DYN_SYSTEM_PORT',
  'DYN_SYSTEM_HOST',
  'DYN_SYSTEM_STARTING_HEALTH_STATUS',
  'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS',
  'DYN_SYSTEM_STATUS_PAGE',
  'DYN_METRICS_PREFIX',
  'PORT',
  'HOST',
  'SAMPLE_PLATFORM',
  'SAMPLE_TOKEN_DELAY_MS',
  'SAMPLE_LOG_LEVEL',
  'SAMPLE_URL',
  'LOAD_REQUESTS',
  'LOAD_CONCURRENCY',
  // The parent runs under node --test; a child must not report to it.
  'NODE_TEST_CONTEXT',
];

/** Children still running: killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kills `child` (SIGKILL) if this process exits first; forgets it once it has exited. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** A child's combined output and exit, and a stop that escalates to SIGKILL after 5 s. */
export interface WatchedChild {
  output(): string;
  /** How the child exited (`exited with code 1 signal null`), or undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Collects a spawned child's stdout and stderr and its exit; kills it if this process exits. */
export function watchChild(child: ChildProcess): WatchedChild {
  killOnExit(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with code ${code} signal ${signal}`;
      resolve();
    }),
  );
  return {
    output: () => output,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** The environment of a child: the parent's minus the controlled variables, plus `vars`. */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTROLLED_VARS) delete env[name];
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

/** Thrown by a `waitUntil` check to stop waiting at once (e.g. the process died). */
export class StopWaiting extends Error {}

/** Polls `check` until it returns a value other than undefined/false, or throws on timeout. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string | (() => string | Promise<string>),
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : await what()}${detail}`,
      );
    }
    await sleep(intervalMs);
  }
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The response ended normally ('end'); false when the connection closed first. */
  complete: boolean;
}

/** One HTTP request on 127.0.0.1 without keep-alive; resolves on end or on close. */
export function httpCall(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...(payload ? { 'content-length': String(payload.length) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let complete = false;
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            complete,
          });
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          complete = true;
          done();
        });
        // A stream that fails mid-way may be cut off: report what arrived.
        res.on('error', () => undefined);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const getPath = (port: number, path: string) => httpCall(port, 'GET', path);

export const postJson = (port: number, path: string, value: unknown) =>
  httpCall(port, 'POST', path, JSON.stringify(value), { 'content-type': 'application/json' });

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

/**
 * POSTs a streaming request and destroys the socket once `events` complete SSE events have
 * arrived. Resolves with the text received once the client side is closed.
 */
export function postAndAbortAfterEvents(
  port: number,
  path: string,
  value: unknown,
  events = 1,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(value));
    let text = '';
    let aborted = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          if (aborted) return;
          text += chunk.toString('utf8');
          if ((text.match(/\n\n/g) ?? []).length >= events) {
            aborted = true;
            req.destroy();
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (!aborted)
            reject(new Error(`${path} ended before the abort: ${JSON.stringify(text)}`));
        });
      },
    );
    req.on('error', (err) => {
      if (!aborted) reject(err);
    });
    req.on('close', () => {
      if (aborted) resolve(text);
    });
    req.end(payload);
  });
}

/**
 * POSTs a request and destroys the socket, before any response, as soon as `ready()` says the
 * server is handling it. Rejects if a response arrives first.
 */
export function postAndAbortWhen(
  port: number,
  path: string,
  value: unknown,
  ready: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(value));
    let aborted = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        if (!aborted) reject(new Error(`${path} answered ${res.statusCode} before the abort`));
        res.resume();
      },
    );
    req.on('error', (err) => {
      if (!aborted) reject(err);
    });
    req.on('close', () => {
      if (aborted) resolve();
    });
    req.end(payload);
    waitUntil(async () => (await ready()) || undefined, `${path} to be in progress`, timeoutMs, 5)
      .then(() => {
        aborted = true;
        req.destroy();
      })
      .catch((err: Error) => {
        req.destroy();
        reject(err);
      });
  });
}

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
    await waitUntil(
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
      () =>
        `the sample app (${platform}) on 127.0.0.1:${appPort}; output so far:\n${watched.output()}`,
      options.startTimeoutMs ?? 30_000,
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
