import { CallHandler, CanActivate, Controller, ExecutionContext, Get, Injectable, Module, NestInterceptor, OnModuleInit } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { map } from 'rxjs';
import { DynamoEndpoint, DynamoMetricsModule, SystemServer } from '../../src';
import { createApp, get, occupy, release, startApp, withEnv } from './helpers';

async function main() {
  const platform = (process.argv[2] ?? 'express') as 'express';
  // hook order
  await withEnv({ DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0', DYN_SYSTEM_HOST: '127.0.0.1' }, async () => {
    @Injectable() class P implements OnModuleInit { constructor(private s: SystemServer) {} onModuleInit() { console.log('P.onModuleInit sys port', this.s.port); } }
    @Module({ imports: [DynamoMetricsModule.forRoot()], providers: [P] }) class M {}
    const app = await createApp(platform, M);
    console.log('before init', app.get(SystemServer).port);
    await app.init();
    console.log('after init', app.get(SystemServer).port);
    await app.close();
  });
  for (const cfg of [{ p: 'api' }, { p: 'api', ex: ['metrics'] }, { p: 'api', ex: ['/metrics'] }]) {
    await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
      @Module({ imports: [DynamoMetricsModule.forRoot()] }) class M {}
      const { app, url } = await startApp(platform, M, { configure: (a) => a.setGlobalPrefix(cfg.p, cfg.ex ? { exclude: cfg.ex } : undefined) });
      console.log(JSON.stringify(cfg), '/metrics', (await get(`${url}/metrics`)).status, '/api/metrics', (await get(`${url}/api/metrics`)).status);
      await app.close();
    });
  }
  await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
    @Injectable() class Deny implements CanActivate { canActivate() { return false; } }
    @Injectable() class Wrap implements NestInterceptor { intercept(_c: ExecutionContext, next: CallHandler) { return next.handle().pipe(map((data) => ({ data }))); } }
    @Module({ imports: [DynamoMetricsModule.forRoot()], providers: [{ provide: APP_GUARD, useClass: Deny }] }) class M {}
    const { app, url } = await startApp(platform, M);
    const r = await get(`${url}/metrics`); console.log('guard', r.status, r.body.slice(0, 100));
    await app.close();
    @Module({ imports: [DynamoMetricsModule.forRoot()], providers: [{ provide: APP_INTERCEPTOR, useClass: Wrap }] }) class M2 {}
    const s2 = await startApp(platform, M2);
    const r2 = await get(`${s2.url}/metrics`); console.log('interceptor', r2.status, r2.contentType, r2.body.slice(0, 100));
    await s2.app.close();
  });
  await withEnv({}, async () => {
    @Module({ imports: [DynamoMetricsModule.forRootAsync({ useFactory: () => ({ system: { enabled: true, metricsPath: '/prom' } }) })] }) class M {}
    const { app, url } = await startApp(platform, M);
    console.log('async metricsPath /prom', (await get(`${url}/prom`)).status, '/metrics', (await get(`${url}/metrics`)).status);
    await app.close();
    @Module({ imports: [DynamoMetricsModule.forRoot({ system: { enabled: true, metricsPath: '/prom' } })] }) class M2 {}
    const s = await startApp(platform, M2);
    console.log('sync metricsPath /prom', (await get(`${s.url}/prom`)).status, '/metrics', (await get(`${s.url}/metrics`)).status);
    await s.app.close();
  });
  const blocker = await occupy(0, '127.0.0.1');
  const port = (blocker.address() as any).port;
  for (const host of ['127.0.0.1', undefined]) {
    await withEnv({ DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: String(port), DYN_SYSTEM_HOST: host }, async () => {
      @Module({ imports: [DynamoMetricsModule.forRoot()] }) class M {}
      const app = await createApp(platform, M);
      try { await app.listen(0, '127.0.0.1'); console.log('port in use: started!', host, app.get(SystemServer).port); }
      catch (e) { console.log('port in use', host, (e as Error).name, (e as Error).message); }
      await app.close();
    });
  }
  await release(blocker);
  void Controller; void Get; void DynamoEndpoint;
}
void main();
