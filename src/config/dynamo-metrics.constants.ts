/** Injection token of the module's resolved configuration (options merged with environment). */
export const DYNAMO_METRICS_CONFIG = Symbol('DYNAMO_METRICS_CONFIG');

/** Context of every log line the package writes through Nest's Logger. */
export const LOGGER_CONTEXT = 'DynamoMetrics';

export const DEFAULT_NAMESPACE = 'dynamo';
export const DEFAULT_METRICS_PATH = '/metrics';
export const DEFAULT_SYSTEM_HOST = '0.0.0.0';
/** Default probe paths (DYN_SYSTEM_HEALTH_PATH, DYN_SYSTEM_LIVE_PATH), as in Dynamo. */
export const HEALTH_PATH = '/health';
export const LIVE_PATH = '/live';

/**
 * Connection limits of the system server (option system.connections): a scraper sends its
 * request as soon as it connects, so a socket silent for 10 s is not one; 256 sockets are far
 * more than Prometheus pairs, probes and status pages need, and far fewer than a process's
 * descriptors (often 1,024), so sockets held open on this port cannot starve the application's.
 */
export const DEFAULT_SYSTEM_CONNECTIONS = Object.freeze({
  max: 256,
  idleTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
});
/** The status page (DYN_SYSTEM_STATUS_PAGE) answers at `/` and here; its files live below it. */
export const STATUS_PAGE_PATH = '/status';
export const STATUS_PAGE_ASSETS_PATH = '/status/assets/';
/** What the status page charted over the last minutes, for a page opened now (JSON). */
export const STATUS_PAGE_HISTORY_PATH = '/status/history';

/** Distinct frontend `model` values kept before `__overflow__` (~80 exposition lines each). */
export const DEFAULT_FRONTEND_MAX_MODELS = 100;

/** Distinct sets of per-call label values kept per decorated endpoint (~40 lines each). */
export const DEFAULT_MAX_CALL_LABEL_SETS = 100;

/** OTLP push (OTEL_METRICS_EXPORTER=otlp): what OpenTelemetry's specification gives as defaults. */
export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export const DEFAULT_OTLP_PROTOCOL = 'http/protobuf';
export const OTLP_COMPRESSIONS = ['gzip', 'none'] as const;
export const DEFAULT_OTLP_COMPRESSION = 'none';
export const DEFAULT_OTLP_HTTP_ENDPOINT = 'http://localhost:4318/v1/metrics';
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';
/** Added to the generic OTEL_EXPORTER_OTLP_ENDPOINT for the http protocols. */
export const OTLP_METRICS_PATH = 'v1/metrics';
export const DEFAULT_OTLP_INTERVAL_MS = 60_000;
/** One export (collection and every request of it); at most the interval. */
export const DEFAULT_OTLP_EXPORT_TIMEOUT_MS = 30_000;
/** One request, the exporter's retries included; at most the export timeout. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/**
 * Bounds of `http_server_request_duration_seconds`: OpenTelemetry's advice for
 * `http.server.request.duration` (HTTP semantic conventions).
 */
export const DEFAULT_HTTP_SERVER_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** The request methods recorded as they are: RFC 9110's and PATCH (RFC 5789); others `_OTHER`. */
export const DEFAULT_KNOWN_HTTP_METHODS: readonly string[] = Object.freeze([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);
