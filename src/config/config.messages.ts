import { DEFAULT_METRICS_PATH } from './dynamo-metrics.constants';

/** Name of the dedicated system server in start-up errors and logs. */
export const SYSTEM_SERVER = 'Dynamo system server';

/** Where a web config problem is: the file, and the field in it. */
const inWebConfig = (file: string, field: string) => `Web config ${file}, ${field}:`;
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');
/** Header pairs with their values (credentials, often) replaced by `***`, for messages. */
const withoutValues = (value: unknown): unknown =>
  typeof value === 'string'
    ? value.replace(/=[^,]*/g, '=***')
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.keys(value).map((k) => [k, '***']))
      : value;

/** Start-up errors of the Nest module and the exposure layer (environment and options). */
export const CONFIG_MESSAGES = {
  invalidBoolean: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: "true" or "false" (empty means unset).`,
  invalidPort: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a whole number from 0 to 65535 (0 picks a free port; empty means unset).`,
  invalidHost: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a host name or IP address such as 0.0.0.0, 127.0.0.1, :: or ::1 (an IPv6 address may be in brackets: [::1]).`,
  invalidPositiveInteger: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a whole number >= 1 (empty means unset).`,
  invalidBudgetMap: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a JSON object of full metric names to whole numbers >= 1, such as {"dynamo_tokens_total":5000} (empty means unset).`,
  unknownBudgetMetrics: (
    source: string,
    unknown: readonly string[],
    known: readonly string[],
    frontendPrefix: string,
  ) =>
    `${source} names ${unknown.map((n) => `"${n}"`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not a metric of this application, so the budget would never apply; accepted values: full names of metrics that exist once the application has started (${known.length ? known.slice(0, 30).join(', ') + (known.length > 30 ? ', ...' : '') : 'none yet'}), or any name starting with ${frontendPrefix} (the LLM frontend's metrics, created on first use).`,
  prometheusModuleRouteClash: (path: string) =>
    `PrometheusModule (@willsoto/nestjs-prometheus) and DynamoMetricsModule both map GET ${path}, and with includeGlobalRegistry: false this module's output would leave out the metrics PrometheusModule's users write (prom-client's global registry). Remove includeGlobalRegistry: false (the route then serves both), give PrometheusModule.register() another path ({ path: '/prom-metrics' }), or remove PrometheusModule.register() (makeCounterProvider and @InjectMetric keep working without it).`,
  invalidModels: (source: string, value: unknown) =>
    `${source}=${typeof value === 'function' ? 'a function' : JSON.stringify(value)} is not valid; accepted values: an array of model names such as ["llama-3"], or a function (model) => boolean.`,
  systemPortIsAppPort: (source: string, port: number) =>
    `${source}=${port} is the same port as PORT=${port}, the application's own port; give the system server another port (0 picks a free one), or leave ${source} empty to serve /metrics on the application's port.`,
  prefixCollidesWithFrontend: (source: string, prefix: string, frontendSource: string) =>
    `${source}=${JSON.stringify(prefix)} is the LLM frontend's prefix too (${frontendSource}): the worker metrics ${prefix}_requests_total and ${prefix}_request_duration_seconds would collide with the frontend's. Choose another prefix for one of them.`,
  invalidBucketBound: (variable: string, value: unknown) =>
    `${variable}=${JSON.stringify(value)} is not valid; accepted values: a number > 0, such as 0.001 or 480 (empty means unset).`,
  invalidBucketCount: (variable: string, value: unknown, max: number) =>
    `${variable}=${JSON.stringify(value)} is not valid; accepted values: a whole number from 1 to ${max} (empty means unset).`,
  bucketMinNotBelowMax: (minSource: string, min: number, maxSource: string, max: number) =>
    `${minSource}=${min} is not below ${maxSource}=${max}; accepted values: 0 < MIN < MAX.`,
  invalidBucketOption: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: strictly increasing finite numbers such as [0, 0.1, 1], or { min, max, count } with 0 < min < max and count from 1 to 512 (Dynamo's log-spaced buckets).`,
  invalidBucketList: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: strictly increasing finite numbers such as [0.005, 0.1, 1, 10].`,
  invalidHttpServer: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: true, false, or an object with any of exclude, buckets, knownMethods.`,
  unknownHttpServerSetting: (key: string, accepted: readonly string[]) =>
    `option httpServer.${key} is not a setting; accepted values: ${accepted.join(', ')}.`,
  invalidExclude: (source: string, value: unknown) =>
    `${source}=${Array.isArray(value) ? `[${value.map(String).join(', ')}]` : JSON.stringify(value)} is not valid; accepted values: an array of paths starting with "/" (matched exactly) and RegExps (tested on the path without its query string), such as ["/health", /^\/internal\//].`,
  invalidKnownMethods: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: HTTP method names, case-sensitive, such as ["GET", "POST", "PROPFIND"] (the variable: comma-separated, GET,POST,PROPFIND; empty means unset).`,
  invalidBucketOptions: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: an object with any of requestDuration, inputSequence, outputSequence, timeToFirstToken, interTokenLatency.`,
  unknownBucketSet: (source: string, accepted: readonly string[]) =>
    `${source} is not a bucket set; accepted values: ${accepted.join(', ')}.`,
  invalidTimeout: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a number of milliseconds > 0, or leave it unset for no deadline.`,
  invalidHealthStatus: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: "ready" or "notready".`,
  invalidEndpointList: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a JSON array of endpoint names such as ["generate"] (empty means unset).`,
  invalidPrefix: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: '' (no prefix) or a name matching [a-zA-Z_:][a-zA-Z0-9_:]*.`,
  invalidNaming: (source: string, value: unknown, accepted: readonly string[]) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: ${accepted.map((a) => `"${a}"`).join(' or ')} (empty means unset).`,
  invalidLogLevel: (source: string, value: unknown, accepted: readonly string[]) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a level, ${accepted.map((a) => `"${a}"`).join(', ')} (any case; "debug" and "trace" log each handler and metric), optionally with Dynamo's target=level directives ("info,dynamo_llm=debug"); empty means unset.`,
  invalidLabels: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a plain object of label names to string values, such as { model: "llama-3-8b" }.`,
  invalidLabelFunction: (endpoint: string, label: string, value: unknown) =>
    `@DynamoEndpoint ${endpoint}: labels.${label} is ${typeof value}; accepted values: a function of the call's arguments returning the label value, such as ([req]) => req.model.`,
  workerLabelsDiffer: (endpoint: string, labels: readonly string[]) =>
    `@DynamoEndpoint ${endpoint} with labels [${labels.join(', ')}]: every decorated endpoint of an application shares the worker metrics, so all must declare the same label names (or use the module's \`labels\` option for values fixed per process).`,
  invalidNamespace: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a non-empty name such as "dynamo".`,
  invalidMetricsPath: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a path starting with "/", such as "${DEFAULT_METRICS_PATH}".`,
  invalidFunction: (source: string, value: unknown) =>
    `${source} is not valid (got ${typeof value}); accepted values: a function, or leave it unset.`,
  metricsPathTakenByStatusPage: (path: string, statusPageVariable: string) =>
    `option system.metricsPath="${path}" is taken by the status page (${statusPageVariable}=true serves "/", "/status", "/status/history" and "/status/assets/"); choose another metrics path, such as "${DEFAULT_METRICS_PATH}".`,
  statusPageAssetsMissing: (dir: string) =>
    `The status page (DYN_SYSTEM_STATUS_PAGE) cannot find its files in ${dir}; the package build copies them there ("npm run build"). Reinstall the package, or turn the status page off.`,
  portInUse: (server: string, host: string, port: number, portVariable?: string) =>
    `${server} cannot listen on ${host}:${port}: the port is already in use. ${portVariable ? `Set ${portVariable} to a free port` : 'Choose a free port'}, or 0 for a random one.`,
  listenFailed: (server: string, host: string, port: number, reason: string, variables?: string) =>
    `${server} cannot listen on ${host}:${port}: ${reason}.${variables ? ` Check ${variables}.` : ''}`,
  invalidPath: (source: string, value: unknown, example: string) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a path starting with "/", without spaces, "?" or "#", such as "${example}".`,
  invalidFileName: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: the name of a file, such as "/etc/dynamo/web-config.yml" (empty means unset).`,
  pathTaken: (source: string, path: string, owner: string) =>
    `${source}="${path}" is already the path of ${owner}; give each route of the system server its own path.`,
  webConfigNeedsSystemServer: (source: string, portVariable: string) =>
    `${source} secures the system server only, but metrics are served on the application's port (${portVariable} is not set): set ${portVariable} so that the web config protects them, or leave ${source} unset and protect the in-app route with your own guard.`,
  timeoutsOutOfOrder: (headersMs: number, requestMs: number) =>
    `option system.connections.headersTimeoutMs=${headersMs} is longer than requestTimeoutMs=${requestMs}; headers are part of the request, so headersTimeoutMs must be at most requestTimeoutMs.`,
  webConfigUnreadable: (file: string, reason: string) =>
    `Web config ${file} cannot be read: ${reason}. Check DYN_SYSTEM_WEB_CONFIG_FILE (or option system.webConfigFile).`,
  webConfigBadYaml: (file: string, reason: string) =>
    `Web config ${file} is not valid YAML: ${reason}`,
  webConfigNotMapping: (file: string, field: string) =>
    `${inWebConfig(file, field)} must be a mapping of keys to values.`,
  webConfigUnknownKey: (file: string, field: string, accepted: readonly string[]) =>
    `${inWebConfig(file, field)} unknown key; accepted keys here: ${quoted(accepted)}.`,
  webConfigNotImplemented: (file: string, field: string) =>
    `${inWebConfig(file, field)} is an exporter-toolkit setting this package does not implement; remove it (README, "Securing the system server", lists what is supported).`,
  webConfigNotString: (file: string, field: string, value: unknown) =>
    `${inWebConfig(file, field)} must be a string (got ${JSON.stringify(value)}).`,
  webConfigMissing: (file: string, field: string, why: string) =>
    `${inWebConfig(file, field)} is missing; ${why}.`,
  webConfigBadChoice: (file: string, field: string, value: string, accepted: readonly string[]) =>
    `${inWebConfig(file, field)} ${JSON.stringify(value)} is not valid; accepted values: ${quoted(accepted)}.`,
  webConfigVersionsOutOfOrder: (file: string, min: string, max: string) =>
    `${inWebConfig(file, 'tls_server_config.max_version')} ${max} is older than min_version ${min}.`,
  webConfigFileUnreadable: (file: string, field: string, path: string, reason: string) =>
    `${inWebConfig(file, field)} cannot read ${path}: ${reason}.`,
  webConfigBadPem: (file: string, field: string, path: string, expected: string, reason: string) =>
    `${inWebConfig(file, field)} ${path} does not hold ${expected}: ${reason}.`,
  webConfigKeyMismatch: (file: string, keyPath: string, certPath: string) =>
    `${inWebConfig(file, 'tls_server_config.key_file')} the private key in ${keyPath} does not belong to the certificate in ${certPath} (cert_file).`,
  webConfigCaWithoutClientAuth: (file: string) =>
    `${inWebConfig(file, 'tls_server_config.client_ca_file')} is set, but client_auth_type is NoClientCert, so no client certificate would be asked for; set client_auth_type (e.g. RequireAndVerifyClientCert) or remove client_ca_file.`,
  webConfigVerifyNeedsCa: (file: string, clientAuth: string) =>
    `${inWebConfig(file, 'tls_server_config.client_ca_file')} is missing; client_auth_type ${clientAuth} verifies client certificates against it.`,
  webConfigBadHash: (file: string, user: string) =>
    `${inWebConfig(file, `basic_auth_users.${user}`)} is not a bcrypt hash (such as "$2y$10$..." from htpasswd -nBC 10 "" or python3 -c 'import bcrypt; print(bcrypt.hashpw(b"secret", bcrypt.gensalt()).decode())').`,
  webConfigPeerMissing: (file: string, field: string, pkg: string) =>
    `${inWebConfig(file, field)} needs the package "${pkg}", an optional peer dependency of nestjs-dynamo-metrics: npm install ${pkg}`,
  invalidChoice: (source: string, value: unknown, accepted: readonly string[]) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: ${quoted(accepted)} (empty means unset).`,
  invalidMetricsExporter: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid here; accepted values: "otlp" (push every metric over OTLP as well as serving /metrics), "none" or "prometheus" (no push), or a comma-separated list of them (empty means unset).`,
  invalidOtlpOption: (value: unknown) =>
    `option otlp=${JSON.stringify(value)} is not valid; accepted values: an object such as { protocol: 'grpc', endpoint: 'http://collector:4317' } ({} pushes with the defaults).`,
  invalidOtlpEndpoint: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: an http:// or https:// URL, such as "http://collector:4318/v1/metrics" (http/protobuf, http/json) or "http://collector:4317" (grpc).`,
  invalidOtlpHeaders: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(withoutValues(value))} is not valid (header values are not shown); accepted values: comma-separated name=value pairs with HTTP header names and percent-encoded values, such as "api-key=s3cret,x-scope=a%20b" (an option: { 'api-key': 's3cret' }).`,
  invalidResourceAttributes: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: comma-separated key=value pairs with percent-encoded values, such as "deployment.environment=prod,service.version=1.2.0" (an option: { 'service.version': '1.2.0' }).`,
  invalidServiceName: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a non-empty name such as "inference-gateway".`,
  otlpPeersMissing: (protocol: string, packages: readonly string[]) =>
    `OTLP export (OTEL_METRICS_EXPORTER=otlp, protocol ${protocol}) needs ${packages.map((p) => `"${p}"`).join(', ')}, optional peer dependencies of nestjs-dynamo-metrics: npm install ${packages.join(' ')}`,
} as const;

// Log lines live beside the errors' module, re-exported here so one import reaches both.
export { LOG_MESSAGES } from './log.messages';
