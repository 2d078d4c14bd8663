/*
 * A NestJS app written the way a user writes one, against the INSTALLED package (not the
 * repository's sources): test/compat/nest-versions.e2e.test.ts copies it into each fixture app,
 * compiles it there with several TypeScript versions (`skipLibCheck: false`, `module` commonjs or
 * nodenext, CommonJS or ESM output) and runs the output. Excluded from the repository's own
 * tsconfig: it imports 'nestjs-dynamo-metrics' by name.
 *
 * It starts on 127.0.0.1 port 0, sends REQUESTS requests through a global guard, fetches /metrics
 * (let through by isDynamoMetricsRoute), prints what the test checks between marker lines, closes
 * the app and exits. Exit codes: 0 ok, 1 an error (printed on stderr), 3 the process did not exit
 * after close().
 */
import 'reflect-metadata';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import {
  Component,
  CounterSeries,
  DistributedRuntime,
  DynamoEndpoint,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  DynamoMetricsOptionsFactory,
  InjectComponent,
  isDynamoMetricsRoute,
} from 'nestjs-dynamo-metrics';
import { DistributedRuntime as CoreRuntime } from 'nestjs-dynamo-metrics/core';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const REQUESTS = Number(process.env.COMPAT_REQUESTS || 3);
const TOKEN = 'compat-secret';

@Injectable()
class GreetingService {
  private readonly greetings: CounterSeries;

  constructor(@InjectComponent('greeting') component: Component) {
    // dynamo_greetings_total{namespace="dynamo",component="greeting"}
    this.greetings = component.createCounter('greetings_total', 'Greetings produced');
  }

  greet(): { message: string } {
    this.greetings.inc();
    return { message: 'hello' };
  }
}

// Component "greeting" (from the class name), endpoint "hello" (from the method name).
@Controller('greeting')
class GreetingController {
  constructor(private readonly service: GreetingService) {}

  @Get('hello')
  @DynamoEndpoint()
  hello(): { message: string } {
    return this.service.greet();
  }
}

/** A global guard as apps have them; the scraper gets through in one line. */
@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isDynamoMetricsRoute(context)) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    return req.headers['x-token'] === TOKEN;
  }
}

/** forRootAsync({ useClass }): the factory method the README names. */
@Injectable()
class MetricsOptions implements DynamoMetricsOptionsFactory {
  createDynamoMetricsOptions(): DynamoMetricsModuleOptions {
    return { namespace: 'dynamo', system: { enabled: true } };
  }
}

@Module({
  imports: [DynamoMetricsModule.forRootAsync({ useClass: MetricsOptions })],
  controllers: [GreetingController],
  providers: [GreetingService, { provide: APP_GUARD, useClass: TokenGuard }],
})
class AppModule {}

/** One GET on loopback without keep-alive, so nothing is left open after close(). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The framework-free entry: a runtime of its own, rendered without any Nest app. */
async function coreEntry(): Promise<string> {
  const runtime = new CoreRuntime({ prefix: 'core' });
  runtime.namespace('ns').component('c').endpoint('e').createCounter('hits_total', 'Hits').inc(2);
  const text = await runtime.prometheusMetricsFmt(OPENMETRICS);
  return text.split('\n').find((l) => l.startsWith('core_hits_total{')) ?? '(none)';
}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  const statuses: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    statuses.push((await get(port, '/greeting/hello', { 'x-token': TOKEN })).status);
  }
  const refused = await get(port, '/greeting/hello');
  const metrics = await get(port, '/metrics');
  await app.close();

  // Resolved from this script's directory, the way the app itself resolves modules.
  const local = createRequire(process.argv[1]!);
  const library = local.resolve('nestjs-dynamo-metrics');
  const fromLibrary = createRequire(library);
  const out = [
    `module-kind: ${typeof require === 'function' ? 'commonjs' : 'esm'}`,
    `nest-version: ${(local('@nestjs/core/package.json') as { version: string }).version}`,
    `node-version: ${process.version}`,
    `library: ${library}`,
    `library-core: ${local.resolve('nestjs-dynamo-metrics/core')}`,
    `core-same-class: ${CoreRuntime === DistributedRuntime}`,
    `core-sample: ${await coreEntry()}`,
    `app-nestjs-common: ${local.resolve('@nestjs/common')}`,
    `library-nestjs-common: ${fromLibrary.resolve('@nestjs/common')}`,
    `app-prom-client: ${local.resolve('prom-client')}`,
    `library-prom-client: ${fromLibrary.resolve('prom-client')}`,
    `requests-sent: ${REQUESTS}`,
    `response-statuses: ${statuses.join(',')}`,
    `unguarded-status: ${refused.status}`,
    `metrics-status: ${metrics.status}`,
    '--- metrics ---',
    metrics.body.replace(/\n$/, ''),
    '--- end metrics ---',
  ];
  process.stdout.write(out.join('\n') + '\n');

  // Everything is closed now, so the process should exit on its own. If a handle is left open,
  // this (unref'd) timer fires and says so instead of hanging the test.
  setTimeout(() => {
    process.stderr.write('the process was still running 10 s after app.close()\n');
    process.exit(3);
  }, 10_000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`compat app failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
