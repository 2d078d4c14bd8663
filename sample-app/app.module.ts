import { Module } from '@nestjs/common';
import { DistributedRuntime, DynamoMetricsModule } from '../src';
import { BackendService } from './backend.service';
import { FrontendController } from './frontend.controller';
import { RootController } from './root.controller';
import { createSyntheticSeries } from './synthetic-series';

@Module({
  imports: [DynamoMetricsModule.forRoot({ namespace: 'dynamo' })],
  controllers: [RootController, FrontendController],
  providers: [
    BackendService,
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
