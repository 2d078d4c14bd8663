import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DistributedRuntime, DynamoMetricsModule } from '../src';
import { BackendService } from './backend.service';
import { FrontendController } from './frontend.controller';
import { ModelsController } from './models.controller';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { SamplePipeline } from './pipeline';
import { RootController } from './root.controller';
import { createSyntheticSeries } from './synthetic-series';

@Module({
  imports: [
    // Exemplars on (trace ids from `traceparent` headers, or OpenTelemetry when installed):
    // DYN_METRICS_EXEMPLARS=false turns them off, as the environment wins over options.
    // A stream with no token within SAMPLE_FIRST_TOKEN_TIMEOUT_MS (default 2 s) ends as
    // error_type="first_token_timeout" (the `sample-stall` model does that on purpose).
    // HTTP server metrics on every route (http_server_*): DYN_METRICS_HTTP_SERVER=false
    // turns them off.
    DynamoMetricsModule.forRoot({
      namespace: 'dynamo',
      exemplars: true,
      httpServer: true,
      frontend: {
        firstTokenTimeoutMs: Number(process.env.SAMPLE_FIRST_TOKEN_TIMEOUT_MS ?? 2000),
      },
    }),
  ],
  controllers: [RootController, FrontendController, ModelsController],
  providers: [
    BackendService,
    SamplePipeline,
    // OpenAI-shaped errors everywhere, JSON syntax errors included.
    { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
    {
      // A custom metric at runtime level: no automatic labels, user constant labels only.
      provide: 'SAMPLE_INFO',
      inject: [DistributedRuntime],
      useFactory: (runtime: DistributedRuntime) =>
        runtime
          .createIntGauge('sample_app_info', 'Sample app build information', {
            version: '0.1.0',
            node: process.version,
          })
          .set(1),
    },
    {
      provide: 'SAMPLE_SYNTHETIC_SERIES',
      inject: [DistributedRuntime],
      useFactory: createSyntheticSeries,
    },
  ],
})
export class AppModule {}
