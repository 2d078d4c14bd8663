import { Logger, Provider } from '@nestjs/common';
import { DistributedRuntime, Namespace } from '../core';
import { LOG_MESSAGES } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import { DYNAMO_METRICS_MODULE_OPTIONS } from '../config/dynamo-metrics.module-definition';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
} from '../config/dynamo-metrics-options.interface';
import { ENDPOINT_READINESS } from '../config/endpoint-readiness.interface';
import { resolveConfig } from '../config/environment';
import { DynamoEndpointInstrumentation } from '../endpoint/dynamo-endpoint.instrumentation';
import { DynamoEndpointMetadataAccessor } from '../endpoint/dynamo-endpoint-metadata.accessor';
import { ClusterWorkerService } from '../exposure/cluster-worker.service';
import { HealthService } from '../exposure/health.service';
import { MetricsExporter } from '../exposure/metrics-exporter.service';
import { OtlpExport } from '../exposure/otlp/otlp-export.service';
import { StartupChecks } from '../exposure/startup-checks.service';
import { StartupSummary } from '../exposure/startup-summary.service';
import { StatusHistory } from '../exposure/status-page/status-history.service';
import { SystemServer } from '../exposure/system-server.service';
import { FrontendMetrics } from '../frontend/frontend-metrics.service';
import { HttpServerMetrics } from '../http-server/http-server-metrics.service';
import { LlmFrontendInstrumentation } from '../frontend/llm-frontend.instrumentation';
import { LlmFrontendMetadataAccessor } from '../frontend/llm-frontend-metadata.accessor';
import { ModelAdmission } from '../instrumentation/model-admission';
import { InstrumentationExplorer } from '../instrumentation/instrumentation.explorer';
import { METHOD_INSTRUMENTATIONS } from '../instrumentation/method-instrumentation.interface';
import { RpcWireBytesService } from '../instrumentation/rpc/rpc-wire-bytes.service';
import { TraceContextService } from '../instrumentation/trace-context.service';

const logger = new Logger(LOGGER_CONTEXT);

/** The module's own providers: configuration, the runtime, and every feature wired together. */
export const DYNAMO_METRICS_PROVIDERS: Provider[] = [
  {
    provide: DYNAMO_METRICS_CONFIG,
    inject: [DYNAMO_METRICS_MODULE_OPTIONS],
    useFactory: (options: DynamoMetricsModuleOptions) => resolveConfig(options),
  },
  {
    provide: DistributedRuntime,
    inject: [DYNAMO_METRICS_CONFIG],
    useFactory: (config: DynamoMetricsConfig) =>
      new DistributedRuntime({
        naming: config.naming,
        prefix: config.prefix,
        labels: config.labels,
        includeGlobalRegistry: config.includeGlobalRegistry,
        // Per-metric lines only when asked for (DYN_LOG=debug): Nest's default logger prints
        // every level, and an app with a few handlers would start with dozens of lines.
        onMetricCreated:
          config.logLevel === 'debug'
            ? (e) =>
                logger.debug(
                  LOG_MESSAGES.metricCreated(e.name, e.type, e.level, e.labelNames, e.constLabels),
                )
            : undefined,
        maxSeries: config.series.maxSeries,
        maxSeriesPerMetric: config.series.maxSeriesPerMetric,
        maxLabelValueLength: config.series.maxLabelValueLength,
        // Once per metric: the first label set that went to its __overflow__ series.
        onSeriesOverflow: (e) =>
          logger.warn(
            LOG_MESSAGES.seriesOverflow(e.metric, e.reason, e.limit, e.counter!, e.label),
          ),
      }),
  },
  {
    provide: Namespace,
    inject: [DistributedRuntime, DYNAMO_METRICS_CONFIG],
    useFactory: (runtime: DistributedRuntime, config: DynamoMetricsConfig) =>
      runtime.namespace(config.namespace),
  },
  HealthService,
  { provide: ENDPOINT_READINESS, useExisting: HealthService },
  MetricsExporter,
  // Before SystemServer: a start-up error must come before the port is opened.
  StartupChecks,
  OtlpExport,
  StatusHistory,
  SystemServer,
  ClusterWorkerService,
  ModelAdmission,
  FrontendMetrics,
  DynamoEndpointMetadataAccessor,
  DynamoEndpointInstrumentation,
  LlmFrontendMetadataAccessor,
  LlmFrontendInstrumentation,
  {
    // Wrapping order: the endpoint's wrapper inside, the frontend's around it.
    provide: METHOD_INSTRUMENTATIONS,
    inject: [DynamoEndpointInstrumentation, LlmFrontendInstrumentation],
    useFactory: (...features: unknown[]) => features,
  },
  TraceContextService,
  InstrumentationExplorer,
  RpcWireBytesService,
  HttpServerMetrics,
  StartupSummary,
];
