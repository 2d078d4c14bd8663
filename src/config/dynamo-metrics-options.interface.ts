import type { FrontendBucketSet, LogBucketSpec, NamingProfileName } from '../core';
import type { DynamoOtlpOptions, OtlpConfig } from './dynamo-otlp-options.interface';
import type { DynamoHttpServerOptions, HttpServerConfig } from './http-server-options.interface';

export type HealthStatus = 'ready' | 'notready';

/** Exposure settings; each has an environment variable that wins over it (see README). */
export interface DynamoSystemOptions {
  /** Serve metrics at all (`DYN_SYSTEM_ENABLED`). Default false. */
  enabled?: boolean | undefined;
  /**
   * Dedicated system server port (`DYN_SYSTEM_PORT`); 0 picks a free port. Unset: metrics are
   * served on the application's own HTTP server instead.
   */
  port?: number | undefined;
  /** Bind address of the system server (`DYN_SYSTEM_HOST`). Default `0.0.0.0`. */
  host?: string | undefined;
  /** Health before the app has bootstrapped (`DYN_SYSTEM_STARTING_HEALTH_STATUS`). Default `notready`. */
  startingHealthStatus?: HealthStatus | undefined;
  /** Endpoints that must be ready for `/health` to say ready (`DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS`). */
  useEndpointHealthStatus?: string[] | undefined;
  /** Path of the metrics route. Default `/metrics`. */
  metricsPath?: string | undefined;
  /**
   * A live status page at the system server's `/` and `/status` (`DYN_SYSTEM_STATUS_PAGE`),
   * read from `/metrics` in the browser. Served only by the system server. Default false.
   */
  statusPage?: boolean | undefined;
  /** Path of the health route (`DYN_SYSTEM_HEALTH_PATH`). Default `/health`. */
  healthPath?: string | undefined;
  /** Path of the liveness route (`DYN_SYSTEM_LIVE_PATH`). Default `/live`. */
  livePath?: string | undefined;
  /**
   * An exporter-toolkit web config file (`DYN_SYSTEM_WEB_CONFIG_FILE`): TLS, client certificates
   * and basic auth for the system server (README, "Securing the system server"). Needs the
   * optional peers `yaml` (and `bcryptjs` for basic auth).
   */
  webConfigFile?: string | undefined;
  /**
   * The web config's basic auth on the probe routes too. Default false: Kubernetes probes carry
   * no credentials, so `/health` and `/live` stay open.
   */
  protectProbes?: boolean | undefined;
  /** Limits that keep silent or slow clients from starving the system server. */
  connections?:
    | {
        /** Open sockets at most; further ones are closed at once. Default 256. */
        max?: number | undefined;
        /** A socket (or TLS handshake) with no traffic for this long is closed. Default 10,000 ms. */
        idleTimeoutMs?: number | undefined;
        /** Time to receive a request's headers. Default 10,000 ms. */
        headersTimeoutMs?: number | undefined;
        /** Time to receive a whole request. Default 30,000 ms. */
        requestTimeoutMs?: number | undefined;
      }
    | undefined;
}

/** The options of `DynamoMetricsModule.forRoot()` (and of a `forRootAsync()` factory). */
export interface DynamoMetricsModuleOptions {
  /** Namespace of the default `Namespace` and of decorated endpoints. Default `dynamo`. */
  namespace?: string | undefined;
  /**
   * Naming profile (`DYN_METRICS_NAMING`): `classic` (default; the Dynamo guide's names) or
   * `component` (today's Dynamo: `dynamo_component_*` with `dynamo_namespace` /
   * `dynamo_component` / `dynamo_endpoint` labels, `dynamo_frontend_*`). Names only, never
   * what is measured.
   */
  naming?: NamingProfileName | undefined;
  /**
   * Name prefix of the hierarchy metrics in the `classic` profile; `''` for none. Default
   * `dynamo`. No effect under `component`, whose prefix is always `dynamo_component`. (Before
   * the naming profiles, `DYN_METRICS_PREFIX` set it; that variable now names the frontend.)
   */
  prefix?: string | undefined;
  /**
   * Labels added to every hierarchy metric (worker metrics, uptime, metrics made through the
   * levels), e.g. `{ model: 'llama-3-8b' }` for a worker that serves one model.
   */
  labels?: Record<string, string> | undefined;
  /** The two worker metrics Dynamo added after its guide. */
  worker?: {
    /** `cancellation_total`. Default: on under `component`, off under `classic`. */
    cancellation?: boolean | undefined;
    /** `time_to_first_response_seconds`. Default: on under `component`, off under `classic`. */
    timeToFirstResponse?: boolean | undefined;
  };
  /**
   * Component for @DynamoEndpoint() methods that name none. Unset: derived from the class name
   * (`BackendService` -> `backend`).
   */
  defaultComponent?: string | undefined;
  /**
   * Also expose prom-client's global registry (metrics made with `@willsoto/nestjs-prometheus`
   * or plain prom-client). Default true.
   */
  includeGlobalRegistry?: boolean | undefined;
  /** Collect prom-client's default Node.js process metrics. Default false. */
  defaultMetrics?: boolean | undefined;
  /** Metrics exposure, health and the system server. */
  system?: DynamoSystemOptions | undefined;
  /** LLM frontend metrics. */
  frontend?: DynamoFrontendOptions | undefined;
  /** Series budgets: how many label sets a metric may have (README, "Cardinality"). */
  series?: DynamoSeriesOptions | undefined;
  /** Node `cluster` mode (see startClusterMetricsServer). */
  cluster?: DynamoClusterOptions | undefined;
  /**
   * Push every metric over OTLP as well (`OTEL_METRICS_EXPORTER=otlp`): giving this object turns
   * the export on. Needs the optional peers `@opentelemetry/sdk-metrics`, `resources` and the
   * exporter of the protocol (README, "Pushing with OTLP"). Off by default.
   */
  otlp?: DynamoOtlpOptions | undefined;
  /**
   * HTTP server metrics for every route, by OpenTelemetry's names (`DYN_METRICS_HTTP_SERVER`):
   * `true`, or the settings below (which turn them on too). Default off.
   */
  httpServer?: boolean | DynamoHttpServerOptions | undefined;
  /**
   * Exemplars (trace ids) on the latency histograms, in the OpenMetrics output
   * (`DYN_METRICS_EXEMPLARS`). Default false.
   */
  exemplars?: boolean | undefined;
  /**
   * Where a call's trace comes from, replacing the built-in order (active OpenTelemetry span,
   * then the request's W3C `traceparent` header, then the enclosing decorated request). Gets the
   * incoming HTTP request when there is one.
   */
  traceContext?: ((request: unknown) => TraceContext | undefined) | undefined;
  /**
   * `debug` adds a line per decorated handler found and per metric created (at Nest's `debug`
   * level); `info` (default) logs one line at start-up, plus warnings. `DYN_LOG`, Dynamo's
   * variable, wins: `debug` or `trace` turn the lines on.
   */
  logLevel?: 'info' | 'debug' | undefined;
}

/** A trace reference: W3C / OpenTelemetry ids in lower-case hex (32 and 16 digits). */
export interface TraceContext {
  traceId: string;
  spanId?: string | undefined;
}

export interface DynamoFrontendOptions {
  /**
   * Name prefix of the frontend metrics (`DYN_METRICS_PREFIX`). Default `nv_llm_http_service`
   * (`classic`) or `dynamo_frontend` (`component`).
   */
  prefix?: string | undefined;
  /**
   * Distinct `model` label values kept (`DYN_METRICS_FRONTEND_MAX_MODELS`); later models are
   * recorded as `__overflow__`. Default 100.
   */
  maxModels?: number | undefined;
  /**
   * The models this frontend serves, as a list of names (compared lower-cased) or a predicate
   * on the lower-cased name; any other model is recorded as `__overflow__`. Default: any model,
   * up to `maxModels`.
   */
  models?: (readonly string[] | ((model: string) => boolean)) | undefined;
  /**
   * Bucket bounds of the frontend histograms: a list, or Dynamo's log-spaced
   * `{ min, max, count }`. Under `component`, DYN_METRICS_<X>_{MIN,MAX,COUNT} win. Default: the
   * profile's (README "Naming profiles").
   */
  buckets?: Partial<Record<FrontendBucketSet, FrontendBucketOption>> | undefined;
  /**
   * Streams: no token-carrying chunk within this many ms of the request's start ends the
   * request with `error_type="first_token_timeout"` (504 when nothing was sent yet). Default none.
   */
  firstTokenTimeoutMs?: number | undefined;
  /**
   * Streams: a gap longer than this between token-carrying chunks ends the request with
   * `error_type="intra_token_timeout"`. Default none.
   */
  interTokenTimeoutMs?: number | undefined;
}

/** Bucket bounds as a list (`[0, 0.1, 1]`) or Dynamo's `{ min, max, count }` rule. */
export type FrontendBucketOption = readonly number[] | LogBucketSpec;

/** Each has an environment variable that wins over it (see README, "Cardinality"). */
export interface DynamoSeriesOptions {
  /** Series per metric with variable labels (`DYN_METRICS_MAX_SERIES`). Default 2,000. */
  maxSeries?: number | undefined;
  /**
   * Budgets of single metrics by full name, e.g. `{ dynamo_tokens_total: 5000 }`
   * (`DYN_METRICS_MAX_SERIES_PER_METRIC`, JSON).
   */
  maxSeriesPerMetric?: Record<string, number> | undefined;
  /** Longer label values are recorded as `__overflow__` (`DYN_METRICS_MAX_LABEL_VALUE_LENGTH`). Default 256. */
  maxLabelValueLength?: number | undefined;
  /**
   * Distinct sets of per-call label values (`@DynamoEndpoint({ labels })`) kept per endpoint;
   * later ones are `__overflow__` (`DYN_METRICS_MAX_CALL_LABEL_SETS`). Default 100. A `model`
   * label is bounded by the model budget (`frontend.maxModels`) as well.
   */
  maxCallLabelSets?: number | undefined;
}

export interface DynamoClusterOptions {
  /**
   * In a Node cluster worker, report this app's metrics (and the global registry when
   * `includeGlobalRegistry` is on) to the primary's `startClusterMetricsServer()`, which serves
   * the sums over all workers. No effect outside a cluster worker, so it can be set
   * unconditionally. Default false.
   */
  worker?: boolean | undefined;
}

/** Options and environment merged and validated; what the module actually runs with. */
export interface DynamoMetricsConfig {
  namespace: string;
  naming: NamingProfileName;
  prefix: string;
  labels: Record<string, string>;
  worker: { cancellation: boolean; timeToFirstResponse: boolean };
  defaultComponent?: string;
  includeGlobalRegistry: boolean;
  defaultMetrics: boolean;
  system: Required<Omit<DynamoSystemOptions, 'port' | 'webConfigFile' | 'connections'>> & {
    port?: number;
    webConfigFile?: string;
    connections: Required<NonNullable<DynamoSystemOptions['connections']>>;
  };
  frontendPrefix: string;
  exemplars: boolean;
  traceContext?: (request: unknown) => TraceContext | undefined;
  logLevel: 'info' | 'debug';
  frontendMaxModels: number;
  /** Lower-cased model names, or a predicate; undefined: any model. */
  frontendModels?: ReadonlySet<string> | ((model: string) => boolean);
  /** Bounds of each frontend bucket set (profile defaults, options, environment). */
  frontendBuckets: Readonly<Record<FrontendBucketSet, readonly number[]>>;
  /** Stream deadlines in ms; undefined: none. */
  frontendTimeouts: { firstTokenMs?: number; interTokenMs?: number };
  series: Required<DynamoSeriesOptions>;
  /** Undefined: no OTLP push. */
  otlp?: OtlpConfig;
  httpServer: HttpServerConfig;
}
