import { INestApplication, Module } from '@nestjs/common';
import { DynamoMetricsModule, DynamoSystemOptions, SystemServer } from '../../src/internal';
import { CapturingLogger } from './logger';
import { createApp } from './nest-app';

/**
 * A Nest app (no routes of its own) whose system server, on 127.0.0.1 and a free port, is
 * secured by a web config.
 */
export interface SecuredApp {
  app: INestApplication;
  logger: CapturingLogger;
  /** The system server's port. */
  port: number;
  close(): Promise<void>;
}

export async function startSecuredApp(system: DynamoSystemOptions): Promise<SecuredApp> {
  @Module({
    imports: [
      DynamoMetricsModule.forRoot({
        system: { enabled: true, port: 0, host: '127.0.0.1', ...system },
      }),
    ],
  })
  class AppModule {}
  const logger = new CapturingLogger();
  const app = await createApp('express', AppModule, { logger });
  await app.init();
  return { app, logger, port: app.get(SystemServer).port!, close: () => app.close() };
}
