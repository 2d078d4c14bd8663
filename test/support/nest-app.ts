import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DistributedRuntime } from '../../src';
import { Scrape } from './exposition-parser';

/** Real Nest applications on Express or Fastify, listening on 127.0.0.1. */

/**
 * Upper bound for one describe() of the e2e files: a broken build (e.g. a stream that never
 * ends) fails the suite instead of hanging the run. A healthy suite takes a few seconds.
 */
export const SUITE_TIMEOUT_MS = 30_000;

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

export interface AppOptions {
  /** Default: no logging. */
  logger?: LoggerService | false;
  /** Runs after create, before listen (global prefix, guards, ...). */
  configure?: (app: INestApplication) => void;
  /** NestFactory.create's `rawBody`. */
  rawBody?: boolean;
}

/**
 * Creates the app on the platform's adapter without initialising it. abortOnError is off, so a
 * failing start-up rejects instead of exiting the test process.
 */
export async function createApp(
  platform: Platform,
  module: unknown,
  { logger = false, configure, rawBody }: AppOptions = {},
): Promise<INestApplication> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = (await NestFactory.create(module as never, adapter as never, {
    logger,
    abortOnError: false,
    ...(rawBody === undefined ? {} : { rawBody }),
  })) as INestApplication;
  configure?.(app);
  return app;
}

export interface StartedApp {
  app: INestApplication;
  port: number;
  /** Base URL of the application's own HTTP server. */
  url: string;
}

/** Creates the app and listens on a random port of 127.0.0.1. */
export async function startApp(
  platform: Platform,
  module: unknown,
  options: AppOptions = {},
): Promise<StartedApp> {
  const app = await createApp(platform, module, options);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const port = portOf(app);
  return { app, port, url: `http://127.0.0.1:${port}` };
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
