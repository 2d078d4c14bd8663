import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * Shared helpers of the exposure tests (not a test file: the name does not end in .test.ts).
 * Everything here is real: real Nest applications listening on 127.0.0.1, real sockets, real
 * child processes.
 */

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

export const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';

/** The DYN_* variables the package reads; every test sets or clears all of them. */
export const DYN_VARS = [
  'DYN_SYSTEM_ENABLED',
  'DYN_SYSTEM_PORT',
  'DYN_SYSTEM_HOST',
  'DYN_SYSTEM_STARTING_HEALTH_STATUS',
  'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS',
  'DYN_SYSTEM_STATUS_PAGE',
  'DYN_METRICS_PREFIX',
] as const;

export type EnvVars = Partial<Record<(typeof DYN_VARS)[number], string | undefined>>;

/**
 * Runs `fn` with exactly the given DYN_* variables set (the others removed), then restores the
 * environment as it was. `forRoot()` and the module's config provider both read process.env, so
 * the variables stay set for the whole life of the app, close included.
 */
export async function withEnv<T>(vars: EnvVars, fn: () => Promise<T> | T): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const name of DYN_VARS) {
    saved.set(name, process.env[name]);
    const value = vars[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export function adapterFor(platform: Platform): ExpressAdapter | FastifyAdapter {
  return platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
}

export interface StartedApp {
  app: INestApplication;
  /** Base URL of the application's own HTTP server. */
  url: string;
}

export interface CreateOptions {
  logger?: LoggerService | false;
  /** Runs after create, before listen (global prefix, guards, ...). */
  configure?: (app: INestApplication) => void;
}

/** Creates the app on the platform's adapter without initialising it. */
export async function createApp(
  platform: Platform,
  module: unknown,
  options: CreateOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, adapterFor(platform) as never, {
    logger: options.logger ?? false,
    abortOnError: false,
  });
  options.configure?.(app as INestApplication);
  return app as INestApplication;
}

/** Creates the app and listens on a random port of 127.0.0.1. */
export async function startApp(
  platform: Platform,
  module: unknown,
  options: CreateOptions = {},
): Promise<StartedApp> {
  const app = await createApp(platform, module, options);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

export interface Scrape {
  status: number;
  contentType: string | null;
  body: string;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: await res.text(),
  };
}

/** The value of the first sample line that starts with `series` (name plus labels). */
export function sample(body: string, series: string): number | undefined {
  for (const line of body.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}

/** A port that was free a moment ago (bound and released on 127.0.0.1). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = await occupy(0, host);
  const port = (server.address() as { port: number }).port;
  await release(server);
  return port;
}

/** Listens on host:port with a plain TCP server; rejects (EADDRINUSE, ...) when it cannot. */
export function occupy(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function release(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/** A LoggerService that keeps every message, for asserting on log output. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  private push(level: string, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.at(-1) as string) : undefined;
    this.lines.push({ level, message: String(message), context });
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }
}

/** A promise with its resolver, for holding a lifecycle hook open while the test looks. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Root of the compiled project (dist/), from dist/test/exposure/helpers.js. */
export const DIST = join(__dirname, '..', '..');
export const FIXTURE = join(__dirname, 'fixtures', 'app.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs `node -e <script>` with the given DYN_* variables (the parent's other DYN_* removed),
 * killing it after `timeoutMs`. The child sees only what the script and env give it.
 */
export function runNode(
  script: string,
  vars: EnvVars,
  timeoutMs = 60000,
  onStdout?: (chunk: string) => void,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DYN_VARS) delete env[name];
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  // The parent runs under node --test; the child must not report to it.
  delete env.NODE_TEST_CONTEXT;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      onStdout?.(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** `node -e` source that loads the compiled fixture and runs one of its entry points. */
export function fixtureScript(call: string): string {
  return `require(${JSON.stringify(FIXTURE)}).${call}`;
}
