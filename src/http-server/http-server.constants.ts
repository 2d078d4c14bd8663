/**
 * The HTTP server metrics: OpenTelemetry's HTTP semantic conventions as Prometheus writes them
 * (dots to underscores, the unit as a suffix), at runtime level under their own prefix.
 */
export const HTTP_SERVER_PREFIX = 'http_server';

export const HTTP_SERVER_METRICS = {
  duration: {
    name: 'request_duration_seconds',
    help: 'Duration of HTTP server requests.',
  },
  active: {
    name: 'active_requests',
    help: 'Number of active HTTP server requests.',
  },
  requestBody: {
    name: 'request_body_size_bytes',
    help: 'Size of HTTP server request bodies.',
  },
  responseBody: {
    name: 'response_body_size_bytes',
    help: 'Size of HTTP server response bodies.',
  },
} as const;

/** `http.request.method`, `http.route`, `http.response.status_code`, `error.type`. */
export const METHOD_LABEL = 'http_request_method';
export const REQUEST_LABELS = [
  METHOD_LABEL,
  'http_route',
  'http_response_status_code',
  'error_type',
] as const;

/** The method of a request whose method is not a known one. */
export const OTHER_METHOD = '_OTHER';

/**
 * `error_type` of a request whose response did not complete (the client went away, or the
 * connection failed): the name the worker metrics give it too. A 5xx response has its status
 * code as `error_type`, as the conventions say; other requests have none (`""`).
 */
export const CANCELLED = 'cancelled';

/**
 * Bounds of the body size histograms, in bytes: the conventions give none. Decades from 0
 * (no body) to 10 MB keep the two families small (10 lines per series).
 */
export const BODY_SIZE_BUCKETS: readonly number[] = Object.freeze([
  0, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
]);
