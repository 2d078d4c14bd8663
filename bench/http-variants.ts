import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { DynamoMetricsModule } from '../src';

/**
 * The all-routes rows of the HTTP benchmark: each compares two Nest applications that differ
 * only in what measures every route, a plain one and one of these, both in each of the two
 * server processes (see http.bench.ts).
 */
export const VARIANTS = {
  express: ['routes', 'floor', 'bundle_routes', 'otel'],
  fastify: ['routes', 'floor', 'fastify_metrics', 'otel'],
} as const;
export type Platform = keyof typeof VARIANTS;
export type Variant = (typeof VARIANTS)[Platform][number];

const body = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, text: 'hello world' }],
};

@Controller()
class PlainController {
  @Get('plain')
  plain() {
    return body;
  }
}

/** Where the floor hook puts its durations, so that the clock reads are not optimised away. */
export const floorSink = { ms: 0 };

/**
 * The floor: what a hook that measures a duration cannot avoid, and nothing else. It reads the
 * clock as the request arrives and again when its response closes; it records nothing.
 */
function floorHook(app: INestApplication, platform: Platform): void {
  if (platform === 'express') {
    app.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const start = performance.now();
      res.on('close', () => (floorSink.ms += performance.now() - start));
      next();
    });
    return;
  }
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook(
      name: 'onRequest',
      fn: (req: unknown, reply: { raw: ServerResponse }, done: () => void) => void,
    ): void;
  };
  fastify.addHook('onRequest', (_request, reply, done) => {
    const start = performance.now();
    reply.raw.on('close', () => (floorSink.ms += performance.now() - start));
    done();
  });
}

/** express-prom-bundle on every route, as its README sets it up (method, path, status). */
function bundleOnEveryRoute(app: INestApplication): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const promBundle = require('express-prom-bundle') as (o: object) => (...a: unknown[]) => void;
  app.use(
    promBundle({
      includeMethod: true,
      includePath: true,
      autoregister: false,
      promRegistry: new Registry(),
    }),
  );
}

/** fastify-metrics with its defaults (a histogram and a summary per route), process metrics off. */
async function fastifyMetrics(app: INestApplication): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const plugin = require('fastify-metrics') as { default: unknown };
  const fastify = app as unknown as {
    register(plugin: unknown, options: object): Promise<unknown>;
  };
  await fastify.register(plugin.default, {
    endpoint: '/metrics',
    defaultMetrics: { enabled: false },
  });
}

/** One application of the pair: `variant` undefined is the plain one. */
export async function variantApp(platform: Platform, variant?: Variant): Promise<INestApplication> {
  @Module({
    imports: [DynamoMetricsModule.forRoot({ httpServer: variant === 'routes' })],
    controllers: [PlainController],
  })
  class VariantModule {}
  const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(VariantModule, adapter as never, { logger: false });
  if (variant === 'floor') floorHook(app, platform);
  if (variant === 'bundle_routes') bundleOnEveryRoute(app);
  if (variant === 'fastify_metrics') await fastifyMetrics(app);
  return app;
}

/**
 * OpenTelemetry's HTTP instrumentation with the metrics SDK and its Prometheus exporter (no
 * tracer provider: spans are not recorded, the cheapest way to run it). It patches
 * `http.Server.prototype.emit`, every server of the process: returns the function it replaced,
 * for the plain application's server to keep.
 */
export function enableOpenTelemetry(): Server['emit'] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  const original = http.Server.prototype.emit;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const instrumentation = new HttpInstrumentation();
  instrumentation.setMeterProvider(new MeterProvider({ readers: [exporter] }));
  // The patch is applied when `http` is next required.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const patched = (require('http') as typeof import('node:http')).Server.prototype.emit;
  if (patched === original) throw new Error('OpenTelemetry did not instrument http.Server');
  return original;
}
