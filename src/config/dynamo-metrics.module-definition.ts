import { ConfigurableModuleBuilder, ConfigurableModuleHost } from '@nestjs/common';
import { DynamoMetricsModuleOptions } from './dynamo-metrics-options.interface';

/** What `forRootAsync()` takes besides Nest's own async options. */
export interface DynamoMetricsAsyncExtras {
  /**
   * Path of the in-app metrics route. forRootAsync() mounts the route before its options exist,
   * so the path is given here, next to the factory. Default `/metrics`.
   */
  metricsPath?: string | undefined;
}

/** The method a `useClass` / `useExisting` options factory implements. */
export const OPTIONS_FACTORY_METHOD = 'createDynamoMetricsOptions';

/**
 * Explicitly typed: an inferred type would be emitted into the .d.ts as an `import()` type with
 * an import attribute, which TypeScript 5.0-5.2 cannot parse (TS1005), even with skipLibCheck.
 */
type Definition = ConfigurableModuleHost<
  DynamoMetricsModuleOptions,
  'forRoot',
  typeof OPTIONS_FACTORY_METHOD,
  DynamoMetricsAsyncExtras
>;

const definition: Definition = new ConfigurableModuleBuilder<DynamoMetricsModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName(OPTIONS_FACTORY_METHOD)
  .setExtras<DynamoMetricsAsyncExtras>({ metricsPath: undefined }, (definition) => definition)
  .build();

export const ConfigurableModuleClass: Definition['ConfigurableModuleClass'] =
  definition.ConfigurableModuleClass;
/** Injection token of the options as given to forRoot() / returned by the async factory. */
export const DYNAMO_METRICS_MODULE_OPTIONS: string | symbol = definition.MODULE_OPTIONS_TOKEN;
/** What `DynamoMetricsModule.forRootAsync()` accepts. */
export type DynamoMetricsModuleAsyncOptions = Definition['ASYNC_OPTIONS_TYPE'];
/** What a `useClass` / `useExisting` factory of `forRootAsync()` implements. */
export interface DynamoMetricsOptionsFactory {
  createDynamoMetricsOptions(): DynamoMetricsModuleOptions | Promise<DynamoMetricsModuleOptions>;
}
