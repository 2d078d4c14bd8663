/** HTTP server metrics (README, "HTTP server metrics for every route"). */
export interface DynamoHttpServerOptions {
  /**
   * Requests not measured, by path (without the query string): a string matches a path
   * exactly, a RegExp by `test()`. Replaces the default: the metrics route, `/health` and
   * `/live`, with and without the global prefix.
   */
  exclude?: ReadonlyArray<string | RegExp> | undefined;
  /**
   * Bounds of `http_server_request_duration_seconds`, strictly increasing seconds. Default
   * OpenTelemetry's: 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10.
   */
  buckets?: readonly number[] | undefined;
  /**
   * The request methods recorded as they are (`OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`, which
   * wins); others are `_OTHER`. Default: RFC 9110's and PATCH.
   */
  knownMethods?: readonly string[] | undefined;
}

/** The HTTP server metrics as resolved (`enabled: false`: the rest is unused). */
export interface HttpServerConfig {
  enabled: boolean;
  /** Undefined: the default (the metrics route and the probes, decided at start-up). */
  exclude?: ReadonlyArray<string | RegExp>;
  buckets: readonly number[];
  knownMethods: readonly string[];
}
