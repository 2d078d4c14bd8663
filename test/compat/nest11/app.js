'use strict';
/*
 * A plain CommonJS NestJS app that uses nestjs-dynamo-metrics the way a user would:
 * `require('nestjs-dynamo-metrics')`, a controller route with @DynamoEndpoint(), a provider that
 * gets a Component through @InjectComponent() (constructor injection), and
 * DynamoMetricsModule.forRoot({ system: { enabled: true } }), which serves /metrics on the app's
 * own port. There is no TypeScript here, so the decorators are applied with the helpers tsc
 * would emit (written out by hand below), `design:paramtypes` metadata included.
 *
 * The same file runs against NestJS 11 (CommonJS) and NestJS 12 (ESM-only, loaded through
 * Node's require(esm)); test/compat/nest-versions.e2e.test.ts copies it next to either
 * fixture's package.json. It starts on 127.0.0.1 port 0, sends REQUESTS requests, fetches
 * /metrics, prints what the test checks between marker lines, closes the app and exits.
 * Exit codes: 0 ok, 1 an error (printed on stderr), 3 the process did not exit after close().
 */
require('reflect-metadata');
const http = require('node:http');
const path = require('node:path');
const { Controller, Get, Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const {
  Component,
  DynamoEndpoint,
  DynamoMetricsModule,
  InjectComponent,
} = require('nestjs-dynamo-metrics');

const REQUESTS = Number(process.env.COMPAT_REQUESTS || 3);

// ---- what tsc emits for decorators (experimentalDecorators + emitDecoratorMetadata) ----------
const __decorate = function (decorators, target, key, desc) {
  const c = arguments.length;
  let r =
    c < 3 ? target : desc === null ? (desc = Object.getOwnPropertyDescriptor(target, key)) : desc;
  if (typeof Reflect === 'object' && typeof Reflect.decorate === 'function') {
    r = Reflect.decorate(decorators, target, key, desc);
  } else {
    for (let i = decorators.length - 1; i >= 0; i--) {
      const d = decorators[i];
      if (d) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    }
  }
  if (c > 3 && r) Object.defineProperty(target, key, r);
  return r;
};
const __metadata = (k, v) => Reflect.metadata(k, v);
const __param = (index, decorator) => (target, key) => decorator(target, key, index);

// ---- a provider with a Component injected by name ----------------------------------------------
// TypeScript:
//   @Injectable()
//   class GreetingService {
//     constructor(@InjectComponent('greeting') component: Component) { ... }
//   }
let GreetingService = class GreetingService {
  constructor(component) {
    // dynamo_greetings_total{namespace="dynamo",component="greeting"}
    this.greetings = component.createCounter('greetings_total', 'Greetings produced');
  }

  greet() {
    this.greetings.inc();
    return { message: 'hello', at: Date.now() };
  }
};
GreetingService = __decorate(
  [
    Injectable(),
    __param(0, InjectComponent('greeting')),
    __metadata('design:paramtypes', [Component]),
  ],
  GreetingService,
);

// ---- a controller with a @DynamoEndpoint() route -----------------------------------------------
// TypeScript:
//   @Controller('greeting')
//   class GreetingController {
//     constructor(private readonly service: GreetingService) {}
//     @Get('hello') @DynamoEndpoint() hello() { return this.service.greet(); }
//   }
// Component "greeting" (from the class name), endpoint "hello" (from the method name).
let GreetingController = class GreetingController {
  constructor(service) {
    this.service = service;
  }

  hello() {
    return this.service.greet();
  }
};
__decorate(
  [
    Get('hello'),
    DynamoEndpoint(),
    __metadata('design:type', Function),
    __metadata('design:paramtypes', []),
    __metadata('design:returntype', Object),
  ],
  GreetingController.prototype,
  'hello',
  null,
);
GreetingController = __decorate(
  [Controller('greeting'), __metadata('design:paramtypes', [GreetingService])],
  GreetingController,
);

// ---- the root module ---------------------------------------------------------------------------
let AppModule = class AppModule {};
AppModule = __decorate(
  [
    Module({
      imports: [DynamoMetricsModule.forRoot({ system: { enabled: true } })],
      controllers: [GreetingController],
      providers: [GreetingService],
    }),
  ],
  AppModule,
);

// ---- run ---------------------------------------------------------------------------------------
/** One GET on loopback without keep-alive, so nothing is left open after close(). */
function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'GET', agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Where `request` resolves from `fromFile`'s directory (to show there is one copy of each). */
const resolvedFrom = (fromFile, request) =>
  require.resolve(request, { paths: [path.dirname(fromFile)] });

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();

  const statuses = [];
  for (let i = 0; i < REQUESTS; i++) {
    const res = await get(port, '/greeting/hello');
    statuses.push(res.status);
    if (res.status !== 200)
      throw new Error(`GET /greeting/hello answered ${res.status}: ${res.body}`);
  }
  const metrics = await get(port, '/metrics');
  await app.close();

  const library = require.resolve('nestjs-dynamo-metrics');
  const out = [
    `nest-version: ${require('@nestjs/core/package.json').version}`,
    `node-version: ${process.version}`,
    `library: ${library}`,
    `library-version: ${require('nestjs-dynamo-metrics/package.json').version}`,
    `app-nestjs-common: ${require.resolve('@nestjs/common')}`,
    `library-nestjs-common: ${resolvedFrom(library, '@nestjs/common')}`,
    `app-prom-client: ${require.resolve('prom-client')}`,
    `library-prom-client: ${resolvedFrom(library, 'prom-client')}`,
    `requests-sent: ${REQUESTS}`,
    `response-statuses: ${statuses.join(',')}`,
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

main().catch((err) => {
  process.stderr.write(`compat app failed: ${(err && err.stack) || err}\n`);
  process.exit(1);
});
