import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DynamoMetricsModuleOptions } from './dynamo-metrics-options.interface';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: DYNAMO_METRICS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DynamoMetricsModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDynamoMetricsOptions')
  // forRootAsync() mounts the in-app route before its options exist, so its path is given here.
  .setExtras({ metricsPath: undefined as string | undefined }, (definition) => definition)
  .build();
