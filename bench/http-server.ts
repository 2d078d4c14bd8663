import 'reflect-metadata';
import {
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestInterceptor,
  NestModule,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  InjectMetric,
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';
import { Observable, tap } from 'rxjs';
import { DynamoEndpoint, DynamoMetricsModule } from '../src';
import { enableOpenTelemetry, Platform, Variant, variantApp } from './http-variants';
import { promClientWorkerMetrics } from './promclient-reference';

/**
 * The HTTP benchmark's server, run as its own process so the load generator does not share its
 * event loop: the same handler as a plain route, a @DynamoEndpoint route and reference routes
 * measured by hand-written prom-client middleware, express-prom-bundle (Express only) and a
 * `@willsoto/nestjs-prometheus` interceptor; or, given a variant, a plain application beside
 * one measured on every route (http-variants.ts).
 */
const body = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, text: 'hello world' }],
};

@Injectable()
class WillsotoInterceptor implements NestInterceptor {
  constructor(
    @InjectMetric('willsoto_requests_total') private readonly requests: Counter<string>,
    @InjectMetric('willsoto_request_duration_seconds') private readonly duration: Histogram<string>,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const labels = { namespace: 'dynamo', component: 'bench', endpoint: context.getHandler().name };
    this.requests.inc(labels);
    const end = this.duration.startTimer(labels);
    return next.handle().pipe(tap({ complete: () => end(), error: () => end() }));
  }
}

@Controller()
class BenchController {
  @Get('plain')
  plain() {
    return body;
  }

  @Get('decorated')
  @DynamoEndpoint({ component: 'bench', endpoint: 'decorated' })
  decorated() {
    return body;
  }

  @Get('promclient')
  promclient() {
    return body;
  }

  @Get('bundle')
  bundle() {
    return body;
  }

  @Get('willsoto')
  @UseInterceptors(WillsotoInterceptor)
  willsoto() {
    return body;
  }
}

/** A careful hand-written prom-client middleware: the worker metrics, labels on every update. */
function promClientMiddleware() {
  const { requests, concurrent, duration, bytesOut } = promClientWorkerMetrics();
  const labels = { namespace: 'dynamo', component: 'bench', endpoint: 'promclient' };
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requests.inc(labels);
    concurrent.inc(labels);
    const end = duration.startTimer(labels);
    res.once('close', () => {
      concurrent.dec(labels);
      end();
      bytesOut.inc(labels, Number(res.getHeader('content-length')) || 0);
    });
    next();
  };
}

const platform: Platform = process.argv[2] === 'fastify' ? 'fastify' : 'express';
/** Set: this process serves a plain application and this variant's (see http-variants.ts). */
const variant = process.argv[3] as Variant | undefined;

@Module({
  imports: [DynamoMetricsModule.forRoot()],
  controllers: [BenchController],
  providers: [
    WillsotoInterceptor,
    makeCounterProvider({
      name: 'willsoto_requests_total',
      help: 'h',
      labelNames: ['namespace', 'component', 'endpoint'],
    }),
    makeHistogramProvider({
      name: 'willsoto_request_duration_seconds',
      help: 'h',
      labelNames: ['namespace', 'component', 'endpoint'],
    }),
  ],
})
class BenchModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(promClientMiddleware()).forRoutes('promclient');
    if (platform === 'express') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const promBundle = require('express-prom-bundle') as (o: object) => (...a: unknown[]) => void;
      consumer
        .apply(
          promBundle({
            includeMethod: true,
            includePath: true,
            autoregister: false,
            promRegistry: new Registry(),
          }),
        )
        .forRoutes('bundle');
    }
  }
}

/** Today's rows: one application with the plain route and each instrumented one. */
async function routesApp(): Promise<Record<string, string>> {
  const app = await NestFactory.create(
    BenchModule,
    platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
    {
      logger: false,
    },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const routes = ['plain', 'decorated', 'promclient', 'bundle', 'willsoto'];
  return Object.fromEntries(routes.map((route) => [route, `${url}/${route}`]));
}

/** The all-routes rows: a plain application and the variant's, both at `/plain`. */
async function variantApps(variant: Variant): Promise<Record<string, string>> {
  // Before any application exists: OpenTelemetry patches every HTTP server of the process.
  const unpatchedEmit = variant === 'otel' ? enableOpenTelemetry() : undefined;
  const plain = await variantApp(platform);
  if (unpatchedEmit) (plain.getHttpServer() as Server).emit = unpatchedEmit;
  const measured = await variantApp(platform, variant);
  const urls: Record<string, string> = {};
  for (const [name, app] of [
    ['plain', plain],
    [variant, measured],
  ] as const) {
    await app.listen(0, '127.0.0.1');
    urls[name] = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/plain`;
  }
  return urls;
}

async function main() {
  const urls = variant ? await variantApps(variant) : await routesApp();
  process.send?.({ urls });
  // The parent reads this process's CPU time around each run: CPU per request is steadier
  // than throughput when the load generator shares the machine.
  process.on('message', (m) => {
    if (m !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
  process.on('disconnect', () => process.exit(0));
}

void main();
