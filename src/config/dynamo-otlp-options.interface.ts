export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type OtlpCompression = 'gzip' | 'none';

/** OTLP push settings; each has OpenTelemetry's standard variable, which wins over it. */
export interface DynamoOtlpOptions {
  /** Default true once `otlp` is given (`OTEL_METRICS_EXPORTER=otlp` or `none`). */
  enabled?: boolean | undefined;
  /** `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`. Default `http/protobuf`. */
  protocol?: OtlpProtocol | undefined;
  /**
   * The collector's metrics URL, as `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` gives it. Default
   * `http://localhost:4318/v1/metrics`, or `http://localhost:4317` for `grpc`.
   */
  endpoint?: string | undefined;
  /** Sent with every export, e.g. `{ 'api-key': '...' }` (`OTEL_EXPORTER_OTLP_METRICS_HEADERS`). */
  headers?: Record<string, string> | undefined;
  /** One request, retries included (`OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`). Default 10,000 ms. */
  timeoutMs?: number | undefined;
  /** `OTEL_EXPORTER_OTLP_METRICS_COMPRESSION`. Default `none`. */
  compression?: OtlpCompression | undefined;
  /** Time between exports (`OTEL_METRIC_EXPORT_INTERVAL`). Default 60,000 ms. */
  intervalMs?: number | undefined;
  /** One whole export, at most the interval (`OTEL_METRIC_EXPORT_TIMEOUT`). Default 30,000 ms. */
  exportTimeoutMs?: number | undefined;
  /** `service.name` of the resource (`OTEL_SERVICE_NAME`). Default OpenTelemetry's. */
  serviceName?: string | undefined;
  /** More resource attributes (`OTEL_RESOURCE_ATTRIBUTES`, which wins key by key). */
  resourceAttributes?: Record<string, string> | undefined;
}

/** OTLP push as resolved: the variables, the options and the defaults. */
export interface OtlpConfig {
  protocol: OtlpProtocol;
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: OtlpCompression;
  intervalMs: number;
  exportTimeoutMs: number;
  /** Resource attributes given (`service.name` among them when set). */
  resource: Record<string, string>;
}
