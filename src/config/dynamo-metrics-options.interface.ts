export type HealthStatus = 'ready' | 'notready';

/** Exposure settings; each has an environment variable that wins over it (see README). */
export interface DynamoSystemOptions {
  /** Serve metrics at all (`DYN_SYSTEM_ENABLED`). Default false. */
  enabled?: boolean;
  /**
   * Dedicated system server port (`DYN_SYSTEM_PORT`); 0 picks a free port. Unset: metrics are
   * served on the application's own HTTP server instead.
   */
  port?: number;
  /** Bind address of the system server (`DYN_SYSTEM_HOST`). Default `0.0.0.0`. */
  host?: string;
  /** Health before the app has bootstrapped (`DYN_SYSTEM_STARTING_HEALTH_STATUS`). Default `notready`. */
  startingHealthStatus?: HealthStatus;
  /** Endpoints that must be ready for `/health` to say ready (`DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS`). */
  useEndpointHealthStatus?: string[];
  /** Path of the metrics route. Default `/metrics`. */
  metricsPath?: string;
  /**
   * A live status page at the system server's `/` and `/status` (`DYN_SYSTEM_STATUS_PAGE`),
   * read from `/metrics` in the browser. Served only by the system server. Default false.
   */
  statusPage?: boolean;
}

export interface DynamoMetricsModuleOptions {
  /** Namespace of the default `Namespace` and of decorated endpoints. Default `dynamo`. */
  namespace?: string;
  /** Metric name prefix (`DYN_METRICS_PREFIX`); `''` for none. Default `dynamo`. */
  prefix?: string;
  /**
   * Component for @DynamoEndpoint() methods that name none. Unset: derived from the class name
   * (`BackendService` -> `backend`).
   */
  defaultComponent?: string;
  /**
   * Also expose prom-client's global registry (metrics made with `@willsoto/nestjs-prometheus`
   * or plain prom-client). Default true.
   */
  includeGlobalRegistry?: boolean;
  /** Collect prom-client's default Node.js process metrics. Default false. */
  defaultMetrics?: boolean;
  /** Metrics exposure, health and the system server. */
  system?: DynamoSystemOptions;
  /** LLM frontend metrics. */
  frontend?: {
    /** Name prefix of the frontend metrics. Default `nv_llm_http_service`. */
    prefix?: string;
  };
  /** Node `cluster` mode (see startClusterMetricsServer). */
  cluster?: DynamoClusterOptions;
}

export interface DynamoClusterOptions {
  /**
   * In a Node cluster worker, report this app's metrics (and the global registry when
   * `includeGlobalRegistry` is on) to the primary's `startClusterMetricsServer()`, which serves
   * the sums over all workers. No effect outside a cluster worker, so it can be set
   * unconditionally. Default false.
   */
  worker?: boolean;
}

/** Options and environment merged and validated; what the module actually runs with. */
export interface DynamoMetricsConfig {
  namespace: string;
  prefix: string;
  defaultComponent?: string;
  includeGlobalRegistry: boolean;
  defaultMetrics: boolean;
  system: Required<Omit<DynamoSystemOptions, 'port'>> & { port?: number };
  frontendPrefix: string;
}
