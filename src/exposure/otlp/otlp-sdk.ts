import { createRequire } from 'node:module';
import { DynamoMetricsError } from '../../core';
import { CONFIG_MESSAGES } from '../../config/config.messages';
import type { OtlpProtocol } from '../../config/dynamo-otlp-options.interface';

/**
 * The parts of OpenTelemetry's metrics SDK (`@opentelemetry/sdk-metrics` 2.x, `resources` 2.x)
 * and OTLP exporters the push uses, written out here rather than imported: they are optional
 * peer dependencies, loaded only when the export is on, and the package's typings must not
 * name them (an app without them installed compiles against those typings too).
 */

/** `ExportResult` of `@opentelemetry/core`: code 0 is `ExportResultCode.SUCCESS`. */
export interface ExportResult {
  code: number;
  error?: Error;
}

/** `PushMetricExporter` of sdk-metrics, as the official OTLP exporters implement it. */
export interface PushExporter {
  export(metrics: unknown, done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  selectAggregationTemporality?(instrumentType: unknown): unknown;
  selectAggregation?(instrumentType: unknown): unknown;
}

/** `MetricProducer` of sdk-metrics: what a reader collects besides the SDK's own instruments. */
export interface MetricProducer {
  collect(): Promise<{ resourceMetrics: unknown; errors: unknown[] }>;
}

export interface MeterProviderLike {
  /** Collects and exports now (what the reader does every interval). */
  forceFlush(options?: { timeoutMillis?: number }): Promise<void>;
  /** A last export, then the exporter's shutdown. */
  shutdown(options?: { timeoutMillis?: number }): Promise<void>;
}

/** What `createRequire` resolved: the SDK, its enums, and the exporter of one protocol. */
export interface OtlpSdk {
  MeterProvider: new (options: { resource: unknown; readers: unknown[] }) => MeterProviderLike;
  PeriodicExportingMetricReader: new (options: {
    exporter: PushExporter;
    exportIntervalMillis: number;
    exportTimeoutMillis: number;
    metricProducers: MetricProducer[];
    maxExportBatchSize: number;
  }) => unknown;
  DataPointType: { HISTOGRAM: number; GAUGE: number; SUM: number };
  AggregationTemporality: { CUMULATIVE: number };
  /** `ValueType.DOUBLE` of `@opentelemetry/api`. */
  doubleValue: number;
  resource(attributes: Record<string, string>): unknown;
  OTLPMetricExporter: new (config: Record<string, unknown>) => PushExporter;
  /** gRPC only: headers become metadata of the exporter's own `@grpc/grpc-js`. */
  metadata?(headers: Record<string, string>): unknown;
}

/** The official exporter of each protocol (README, "Pushing with OTLP"). */
export const EXPORTER_PACKAGES: Readonly<Record<OtlpProtocol, string>> = {
  grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
  'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
  'http/json': '@opentelemetry/exporter-metrics-otlp-http',
};

const SDK_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/resources',
];

/**
 * Loads the SDK and the protocol's exporter from where the application installed them, or
 * stops start-up naming every missing package and the command that installs them.
 * `resolve` is the application's resolution (overridable for tests).
 */
export function loadOtlpSdk(
  protocol: OtlpProtocol,
  resolve: (name: string) => string = require.resolve,
): OtlpSdk {
  const exporterPackage = EXPORTER_PACKAGES[protocol];
  const paths = new Map<string, string>();
  const missing: string[] = [];
  for (const name of [...SDK_PACKAGES, exporterPackage]) {
    try {
      paths.set(name, resolve(name));
    } catch {
      missing.push(name);
    }
  }
  if (missing.length) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.otlpPeersMissing(protocol, missing));
  }
  const load = <T>(name: string): T => require(paths.get(name)!) as T;
  const api = load<{ ValueType: { DOUBLE: number } }>('@opentelemetry/api');
  const metrics = load<OtlpSdk>('@opentelemetry/sdk-metrics');
  const resources = load<{
    defaultResource(): { merge(other: unknown): unknown };
    resourceFromAttributes(attributes: Record<string, string>): unknown;
  }>('@opentelemetry/resources');
  const exporter = load<Pick<OtlpSdk, 'OTLPMetricExporter'>>(exporterPackage);
  const sdk: OtlpSdk = {
    MeterProvider: metrics.MeterProvider,
    PeriodicExportingMetricReader: metrics.PeriodicExportingMetricReader,
    DataPointType: metrics.DataPointType,
    AggregationTemporality: metrics.AggregationTemporality,
    doubleValue: api.ValueType.DOUBLE,
    // OpenTelemetry's default resource (telemetry.sdk.*, service.name) under the given one.
    resource: (attributes) =>
      resources.defaultResource().merge(resources.resourceFromAttributes(attributes)),
    OTLPMetricExporter: exporter.OTLPMetricExporter,
  };
  if (protocol === 'grpc') {
    // The exporter's own dependency, so that the Metadata class is the one its client takes.
    const base = createRequire(paths.get(exporterPackage)!)(
      '@opentelemetry/otlp-grpc-exporter-base',
    ) as { createEmptyMetadata(): { set(key: string, value: string): void } };
    sdk.metadata = (headers) => {
      const metadata = base.createEmptyMetadata();
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      return metadata;
    };
  }
  return sdk;
}
