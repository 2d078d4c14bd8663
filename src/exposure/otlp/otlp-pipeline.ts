import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import type { DistributedRuntime } from '../../core';
import type { OtlpConfig } from '../../config/dynamo-otlp-options.interface';
import { loadOtlpSdk, MeterProviderLike, OtlpSdk, PushExporter } from './otlp-sdk';
import { RuntimeMetricProducer } from './runtime-metric-producer';

/**
 * Data points per export request. Each request is encoded in one synchronous stretch by the
 * official exporter (twice as many points held the event loop noticeably longer; figures in
 * the README, "Performance"), and the reader
 * awaits each request before encoding the next, so a large export gives the event loop back
 * about as often as a scrape does.
 */
export const OTLP_MAX_POINTS_PER_REQUEST = 250;

/**
 * OpenTelemetry's `PeriodicExportingMetricReader`, collecting the runtime through a
 * `MetricProducer` every interval and handing it to the official exporter of the protocol,
 * bound to a `MeterProvider` that carries the resource. The reader's timer starts now (unref'd:
 * it never holds the process open). `record` hears the outcome of every request.
 */
export function startOtlpExport(
  runtime: DistributedRuntime,
  otlp: OtlpConfig,
  record: (ok: boolean, error: Error | undefined) => void,
): MeterProviderLike {
  // A missing package stops start-up here, before any port opens.
  const sdk = loadOtlpSdk(otlp.protocol);
  const resource = sdk.resource(resourceAttributes(otlp));
  const round: ExportRound = { failed: false };
  const reader = new sdk.PeriodicExportingMetricReader({
    exporter: observed(exporterOf(sdk, otlp), round, record),
    exportIntervalMillis: otlp.intervalMs,
    exportTimeoutMillis: otlp.exportTimeoutMs,
    metricProducers: [
      new RuntimeMetricProducer(runtime, sdk, resource, () => (round.failed = false)),
    ],
    maxExportBatchSize: OTLP_MAX_POINTS_PER_REQUEST,
  });
  return new sdk.MeterProvider({ resource, readers: [reader] });
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

/** One export: a collection, sent in requests of at most OTLP_MAX_POINTS_PER_REQUEST points. */
interface ExportRound {
  failed: boolean;
}

/** What the requests of an export that had one fail answer: the next interval sends them all. */
const SKIPPED = { code: 1, error: new Error('not sent: an earlier request of this export failed') };

/**
 * The exporter, reporting the outcome of every request it sends. Once a request of an export
 * has failed, the rest of that export is not sent: a collector that is down or silent costs one
 * request (and one timeout) per interval, not one per part, and the next export, cumulative,
 * carries everything.
 */
function observed(
  exporter: PushExporter,
  round: ExportRound,
  record: (ok: boolean, error: Error | undefined) => void,
): PushExporter {
  return {
    export(metrics, done) {
      if (round.failed) return done(SKIPPED);
      exporter.export(metrics, (result) => {
        // ExportResultCode.SUCCESS is 0.
        const ok = result.code === 0;
        if (!ok) round.failed = true;
        record(ok, result.error);
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality: (type) => exporter.selectAggregationTemporality?.(type),
    selectAggregation: (type) => exporter.selectAggregation?.(type),
  };
}
