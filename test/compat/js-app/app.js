/*
 * A NestJS app in plain JavaScript (CommonJS, no TypeScript anywhere), against the INSTALLED
 * package: test/compat/consumer.e2e.test.ts copies it into a fixture app that installed the
 * packed tarball, and runs it. Decorators are applied as functions, as a JavaScript app without
 * a transpiler does. Prints `requests:` and the /metrics body between marker lines.
 */
'use strict';
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { DynamoEndpoint, DynamoMetricsModule } = require('nestjs-dynamo-metrics');

class HelloController {
  hello() {
    return { message: 'hello' };
  }
}
Controller('greeting')(HelloController);
const descriptor = Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello');
for (const decorate of [DynamoEndpoint(), Get('hello')]) {
  decorate(HelloController.prototype, 'hello', descriptor);
}
Object.defineProperty(HelloController.prototype, 'hello', descriptor);

class AppModule {}
Module({
  imports: [DynamoMetricsModule.forRoot({ system: { enabled: true } })],
  controllers: [HelloController],
})(AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/greeting/hello`)).status);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  await app.close();
  process.stdout.write(
    `requests: ${statuses.join(',')}\n--- metrics ---\n${metrics}--- end metrics ---\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`js app failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
