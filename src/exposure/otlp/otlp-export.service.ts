import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DistributedRuntime, Namespace } from '../../core';
import { LOG_MESSAGES } from '../../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../../config/dynamo-metrics-options.interface';
import type { OtlpConfig } from '../../config/dynamo-otlp-options.interface';
import { ExportOutcomes } from './export-outcomes';
import { loadOtlpSdk, MeterProviderLike, OtlpSdk, PushExporter } from './otlp-sdk';
import { RuntimeMetricProducer } from './runtime-metric-producer';

/**
 * Data points per export request. Each request is encoded in one synchronous stretch by the
 * official exporter (about 1 ms for 500 histogram points in JSON here, half that in protobuf),
 * and the reader awaits each request before encoding the next, so a large export gives the
 * event loop back as often as a scrape does.
 */
export const OTLP_MAX_POINTS_PER_REQUEST = 500;

/**
 * OTLP push (`OTEL_METRICS_EXPORTER=otlp` or the `otlp` option): OpenTelemetry's
 * `PeriodicExportingMetricReader` collects the runtime through a `MetricProducer` every
 * interval and hands it to the official exporter of the protocol. A collector that is down,
 * slow or failing costs a request per interval, counted and logged once per outage; on
 * shutdown the reader exports once more, within the request timeout. Nothing is loaded when the
 * export is off.
 */
@Injectable()
export class OtlpExport implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private provider?: MeterProviderLike;

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly runtime: DistributedRuntime,
    @Inject(Namespace) private readonly namespace: Namespace,
  ) {}

  onModuleInit(): void {
    const otlp = this.config.otlp;
    if (!otlp) return;
    // A missing package stops start-up here, before any port opens.
    const sdk = loadOtlpSdk(otlp.protocol);
    const outcomes = new ExportOutcomes(this.namespace, otlp.endpoint, this.logger);
    const resource = sdk.resource(resourceAttributes(otlp));
    const reader = new sdk.PeriodicExportingMetricReader({
      exporter: observed(exporterOf(sdk, otlp), (ok, error) => outcomes.record(ok, error)),
      exportIntervalMillis: otlp.intervalMs,
      exportTimeoutMillis: otlp.exportTimeoutMs,
      metricProducers: [new RuntimeMetricProducer(this.runtime, sdk, resource)],
      maxExportBatchSize: OTLP_MAX_POINTS_PER_REQUEST,
    });
    // The provider binds the reader, whose timer starts now (unref'd: it never holds the process).
    this.provider = new sdk.MeterProvider({ resource, readers: [reader] });
  }

  /**
   * After the HTTP servers have closed: requests that finished while they drained are in the
   * last export. Bounded by the request timeout; a collector that is down cannot hold it longer.
   */
  async onApplicationShutdown(): Promise<void> {
    const provider = this.provider;
    if (!provider) return;
    this.provider = undefined;
    const { endpoint, timeoutMs } = this.config.otlp!;
    try {
      await provider.shutdown({ timeoutMillis: timeoutMs });
    } catch (err) {
      this.logger.warn(LOG_MESSAGES.otlpFinalExportFailed(endpoint, timeoutMs, reason(err)));
    }
  }
}

/**
 * The resource: what was configured, a `service.instance.id` unless given (replicas pushing the
 * same series must not read as one), and in a Node cluster worker its `worker` id.
 */
function resourceAttributes(otlp: OtlpConfig): Record<string, string> {
  return {
    'service.instance.id': randomUUID(),
    ...(cluster.isWorker && cluster.worker ? { worker: String(cluster.worker.id) } : {}),
    ...otlp.resource,
  };
}

/** The official exporter of the protocol, with every setting given explicitly. */
function exporterOf(sdk: OtlpSdk, otlp: OtlpConfig): PushExporter {
  const headers = Object.keys(otlp.headers).length ? otlp.headers : undefined;
  return new sdk.OTLPMetricExporter({
    url: otlp.endpoint,
    timeoutMillis: otlp.timeoutMs,
    compression: otlp.compression,
    ...(otlp.protocol === 'grpc'
      ? headers && { metadata: sdk.metadata!(headers) }
      : headers && { headers }),
  });
}

/** The exporter, reporting the outcome of every request it sends. */
function observed(
  exporter: PushExporter,
  record: (ok: boolean, error: Error | undefined) => void,
): PushExporter {
  return {
    export(metrics, done) {
      exporter.export(metrics, (result) => {
        // ExportResultCode.SUCCESS is 0.
        record(result.code === 0, result.error);
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality: (type) => exporter.selectAggregationTemporality?.(type),
    selectAggregation: (type) => exporter.selectAggregation?.(type),
  };
}

export const reason = (err: unknown): string =>
  err instanceof Error ? err.message || err.name : String(err);
