import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SystemServer } from '../src';
import { enableTracing } from './tracing';

/**
 * Defaults of the sample (the library itself defaults to metrics off): metrics on, a system
 * server on 8081 with the live status page at its `/`, and /health waiting for the backend's
 * `generate` endpoint. A variable that is
 * set, even to an empty value, is left alone: `DYN_SYSTEM_PORT= npm run sample` serves
 * /metrics on the app port instead.
 */
export function applySampleDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.DYN_SYSTEM_ENABLED ??= 'true';
  env.DYN_SYSTEM_PORT ??= '8081';
  env.DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS ??= '["generate"]';
  env.DYN_SYSTEM_STATUS_PAGE ??= 'true';
}

export async function bootstrap(
  port = Number(process.env.PORT ?? 3000),
  host = process.env.HOST ?? '0.0.0.0',
) {
  applySampleDefaults();
  // Imported after the defaults are applied: the module reads the environment when defined.
  const { AppModule } = await import('./app.module.js');
  const fastify = process.env.SAMPLE_PLATFORM === 'fastify';
  const app = await NestFactory.create(
    AppModule,
    fastify ? new FastifyAdapter() : new ExpressAdapter(),
    {
      logger:
        process.env.SAMPLE_LOG_LEVEL === 'debug'
          ? ['error', 'warn', 'log', 'debug']
          : ['error', 'warn', 'log'],
    },
  );
  app.enableShutdownHooks();
  const stopTracing = await enableTracing(app);
  await app.listen(port, host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  const system = app.get(SystemServer);
  // Where the module serves everything, as resolved (any spelling of the variables).
  const { metricsPath, probePaths, statusPage } = system;
  const logger = new Logger('Sample');
  logger.log(`App:     ${url}  (${fastify ? 'fastify' : 'express'})`);
  logger.log(
    `Metrics: ${metricsPath === undefined ? 'off (DYN_SYSTEM_ENABLED is not true)' : `${system.url ?? url}${metricsPath}`}`,
  );
  if (system.url) {
    logger.log(
      `Health:  ${system.url}${probePaths.health}   Live: ${system.url}${probePaths.live}`,
    );
  }
  if (stopTracing) {
    logger.log(`Traces:  OTLP to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
    process.once('beforeExit', () => void stopTracing());
  }
  if (statusPage) {
    logger.log(`Status:  ${system.url}/   (live page; try npm run sample:load)`);
  }
  logger.log(
    `Try:     curl -s ${url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":true}'`,
  );
  return app;
}

if (require.main === module) {
  bootstrap().catch((err: unknown) => {
    // A bad DYN_* value or a taken port: say what and stop, non-zero.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
