import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { request as httpRequest, IncomingHttpHeaders, ClientRequest } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DistributedRuntime } from '../../src';
import { Scrape } from './exposition-parser';
import type { AddressInfo } from 'node:net';

export { freePort, sleep } from './net';

/**
 * Upper bound for one describe() of these e2e files: a broken build (e.g. a stream that never
 * ends) fails the suite instead of hanging the run. A healthy suite takes a few seconds.
 */
export const SUITE_TIMEOUT_MS = 30_000;

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

/**
 * Creates and starts a real HTTP app on 127.0.0.1, port 0; returns it with its port. `options`
 * are NestFactory.create's (logger off unless given).
 */
export async function startHttpApp(
  platform: Platform,
  module: unknown,
  options: Record<string, unknown> = {},
): Promise<{ app: INestApplication; port: number; base: string }> {
  const app = await createHttpApp(platform, module, options);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app: app as INestApplication, port, base: `http://127.0.0.1:${port}` };
}

/** Creates (does not start) an HTTP app on the platform; logger off unless given. */
export async function createHttpApp(
  platform: Platform,
  module: unknown,
  options: Record<string, unknown> = {},
): Promise<INestApplication> {
  const appOptions = { logger: false, ...options } as never;
  const app =
    platform === 'express'
      ? await NestFactory.create(module as never, appOptions)
      : await NestFactory.create(module as never, new FastifyAdapter() as never, appOptions);
  return app as INestApplication;
}

/**
 * Closes an app even when a test failed with streams still open: open connections are dropped
 * first (an SSE stream would otherwise keep the HTTP server, and the test run, alive).
 */
export async function closeApp(
  app: { close(): Promise<void>; getHttpServer?: () => unknown } | undefined,
): Promise<void> {
  if (!app) return;
  const server = app.getHttpServer?.() as { closeAllConnections?: () => void } | undefined;
  server?.closeAllConnections?.();
  await app.close();
}

/** The port an HTTP app listens on. */
export const portOf = (app: INestApplication): number =>
  (app.getHttpServer().address() as AddressInfo).port;

/** The runtime's exposition, parsed. */
export async function scrape(app: { get: INestApplication['get'] }): Promise<Scrape> {
  return new Scrape(await app.get(DistributedRuntime).prometheusMetricsFmt());
}

export interface WorkerSnapshot {
  requests: number;
  concurrent: number;
  durationCount: number;
  requestBytes: number;
  responseBytes: number;
  errors: {
    client_error: number;
    handler_error: number;
    stream_error: number;
    cancelled: number;
  };
}

/** Every worker metric of one endpoint, by exact labels; throws when any series is missing. */
export function worker(
  s: Scrape,
  labels: { namespace?: string; component: string; endpoint: string },
  prefix = 'dynamo',
): WorkerSnapshot {
  const l = { namespace: labels.namespace ?? 'dynamo', ...labels };
  const p = prefix ? `${prefix}_` : '';
  const err = (error_type: string) => s.get(`${p}errors_total`, { ...l, error_type });
  return {
    requests: s.get(`${p}requests_total`, l),
    concurrent: s.get(`${p}concurrent_requests`, l),
    durationCount: s.get(`${p}request_duration_seconds_count`, l),
    requestBytes: s.get(`${p}request_bytes_total`, l),
    responseBytes: s.get(`${p}response_bytes_total`, l),
    errors: {
      client_error: err('client_error'),
      handler_error: err('handler_error'),
      stream_error: err('stream_error'),
      cancelled: err('cancelled'),
    },
  };
}

/** A snapshot with everything at zero except what `partial` says. */
export function expected(
  partial: Partial<Omit<WorkerSnapshot, 'errors'>> & { errors?: Partial<WorkerSnapshot['errors']> },
): WorkerSnapshot {
  return {
    requests: 0,
    concurrent: 0,
    durationCount: 0,
    requestBytes: 0,
    responseBytes: 0,
    ...partial,
    errors: {
      client_error: 0,
      handler_error: 0,
      stream_error: 0,
      cancelled: 0,
      ...partial.errors,
    },
  };
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Sum of the lengths of the body chunks received (decoded from chunked framing). */
  received: number;
  text: string;
}

/** One request with node:http (no keep-alive), body sent with an exact Content-Length. */
export function http(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
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
        headers: {
          ...(payload ? { 'content-length': String(payload.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (c: Buffer) => {
          received += c.length;
          chunks.push(c);
        });
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: all,
            received,
            text: all.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const postJson = (port: number, path: string, value: unknown) =>
  http(port, 'POST', path, JSON.stringify(value), { 'content-type': 'application/json' });

/**
 * Starts a GET and destroys the socket as soon as the body received so far satisfies `until`
 * (default: any byte). Resolves with that body once the socket is closed on the client side.
 */
export function abortAfter(
  port: number,
  path: string,
  until: (received: string) => boolean = (text) => text.length > 0,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    let text = '';
    req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path, agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => {
        if (req!.destroyed) return;
        text += chunk.toString('utf8');
        if (until(text)) {
          req!.destroy();
          resolve(text);
        }
      });
      res.on('error', () => undefined);
      res.on('end', () =>
        reject(new Error(`${path} ended before the abort: ${JSON.stringify(text)}`)),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // ECONNRESET after our own destroy() is expected.
      if (!req!.destroyed) reject(err);
    });
    req.end();
  });
}

/**
 * Opens a GET stream and resolves once the body received so far satisfies `ready`, leaving the
 * connection open; `abort()` then destroys the client socket.
 */
export function openStream(
  port: number,
  path: string,
  ready: (received: string) => boolean = (text) => /^data: .*\n/m.test(text),
): Promise<{ received: () => string; abort: () => void }> {
  return new Promise((resolve, reject) => {
    let text = '';
    let resolved = false;
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'GET', path, agent: false },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (!resolved && ready(text)) {
            resolved = true;
            resolve({ received: () => text, abort: () => req.destroy() });
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (!resolved)
            reject(new Error(`${path} ended before it was ready: ${JSON.stringify(text)}`));
        });
      },
    );
    req.on('error', (err) => {
      if (!resolved) reject(err);
    });
    req.end();
  });
}

/**
 * Sends a request and keeps it open: `abort()` destroys the client socket whenever the test
 * decides (e.g. once the server is known to be handling it); `settled` resolves either way.
 */
export function pendingRequest(
  port: number,
  method: string,
  path: string,
): { abort: () => void; settled: Promise<HttpResult | Error> } {
  const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false });
  const settled = new Promise<HttpResult | Error>((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => resolve(err));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          received: body.length,
          text: body.toString('utf8'),
        });
      });
    });
    req.on('error', (err) => resolve(err));
  });
  req.end();
  return { abort: () => req.destroy(), settled };
}

/** Aborts an SSE stream once its first `data:` line has arrived. */
export const abortAfterFirstEvent = (port: number, path: string) =>
  abortAfter(port, path, (text) => /^data: .*\n/m.test(text));

/** Polls `check` (which throws while not yet true) every 10 ms, up to `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * Asserts a worker snapshot. Everything but the response bytes is compared strictly; the
 * response bytes too, unless `responseBytesBug` names a known src bug, in which case that one
 * comparison runs as a `todo` subtest (reported, not failing the run) until the bug is fixed.
 */
export async function assertWorker(
  t: TestContext,
  actual: WorkerSnapshot,
  want: WorkerSnapshot,
  responseBytesBug?: string,
): Promise<void> {
  assert.deepEqual({ ...actual, responseBytes: want.responseBytes }, want);
  if (responseBytesBug === undefined) {
    assert.equal(actual.responseBytes, want.responseBytes, 'dynamo_response_bytes_total');
    return;
  }
  await t.test('response bytes', { todo: responseBytesBug }, () => {
    assert.equal(actual.responseBytes, want.responseBytes, 'dynamo_response_bytes_total');
  });
}

/** Runs `fn` as a subtest, marked `todo` with the bug's description when `bug` is set. */
export async function knownBug(
  t: TestContext,
  name: string,
  bug: string | undefined,
  fn: () => void | Promise<void>,
): Promise<void> {
  await t.test(name, bug === undefined ? {} : { todo: bug }, fn);
}
