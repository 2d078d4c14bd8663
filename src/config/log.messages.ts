/** Log lines of the Nest layers, kept beside the errors so wording stays consistent. */
export const LOG_MESSAGES = {
  statusPageNeedsSystemServer: (variable: string, portVariable: string) =>
    `${variable} is on, but the status page is served only by the dedicated system server: set ${portVariable} to show it (it is never served on the application's port).`,
  systemServerFailed: (path: string, reason: string) =>
    `System server failed on ${path}: ${reason}`,
  certificatesReloaded: (files: string) =>
    `System server: certificates re-read (${files} changed); new connections use them.`,
  certificatesReloadFailed: (reason: string) =>
    `System server: the changed certificate files cannot be used yet, so connections keep the previous ones: ${reason}`,
  basicAuthWithoutTls: (file: string) =>
    `Web config ${file} sets basic_auth_users without tls_server_config: passwords cross the network in clear text.`,
  seriesOverflow: (
    metric: string,
    reason: 'series-budget' | 'value-length' | 'not-allowed' | 'invalid-value',
    limit: number,
    counter: string,
    label?: string,
  ) => {
    const where = `Metric ${metric}`;
    const counted = `further ones are recorded in its __overflow__ series and counted in ${counter}{metric="${metric}"}`;
    switch (reason) {
      case 'value-length':
        return `${where}: a label value is longer than ${limit} characters; ${counted} (raise DYN_METRICS_MAX_LABEL_VALUE_LENGTH if such values are legitimate).`;
      case 'not-allowed':
        return `${where}: a ${label ?? 'label'} value outside the allowed list (option frontend.models) was seen; ${counted}.`;
      case 'invalid-value':
        return `${where}: a request came with a missing, blank or non-string ${label ?? 'label'}, or one spelled like the overflow marker; it and ${counted}.`;
      default:
        return label === 'per-call label'
          ? `${where}: ${limit} distinct sets of per-call label values reached on one endpoint; ${counted} (DYN_METRICS_MAX_CALL_LABEL_SETS sets the limit).`
          : label
            ? `${where}: ${limit} distinct ${label} values reached; ${counted} (DYN_METRICS_FRONTEND_MAX_MODELS sets the limit).`
            : `${where}: series budget of ${limit} label sets reached; ${counted} (DYN_METRICS_MAX_SERIES or DYN_METRICS_MAX_SERIES_PER_METRIC set the budget).`;
    }
  },
  rpcBytesOff: (transport: string, missing: readonly string[]) =>
    `${transport} microservice: no transport byte metrics, as this NestJS lacks or has changed ${missing.join(', ')}; its handlers record calls, durations and errors, and bytes only from size functions (requestSize/responseSize).`,
  unknownHealthEndpoints: (names: readonly string[], known: readonly string[]) =>
    `DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS lists ${names.map((n) => `"${n}"`).join(', ')}, which no decorated handler has, so /health will never be ready; endpoints found: ${known.length ? known.map((n) => `"${n}"`).join(', ') : 'none'}.`,
  /** The one `log` line at start-up: what is served where, and what was found. */
  startupSummary: (
    exposure:
      | { mode: 'off'; ignoredPort?: string | undefined }
      | { mode: 'in-app'; path: string }
      | {
          mode: 'system';
          bind: string;
          url: string;
          path: string;
          probes: readonly string[];
          statusPage: boolean;
        },
    handlers: ReadonlyArray<readonly [decorator: string, count: number]>,
    metrics: number,
    push?: { protocol: string; endpoint: string; intervalMs: number },
  ) => {
    let where: string;
    if (exposure.mode === 'off') {
      const ignored = exposure.ignoredPort;
      where =
        'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true)' +
        (ignored ? `; ${ignored}` : '');
    } else if (exposure.mode === 'in-app') {
      where = `Metrics served in-app at GET ${exposure.path} on the application's port`;
    } else {
      const { bind, url, path, probes, statusPage } = exposure;
      where =
        `Metrics served by the system server listening on ${bind}: ${url}${path}, ` +
        probes.map((p) => `${url}${p}`).join(', ') +
        (statusPage ? `, status page ${url}/` : '');
    }
    const found = handlers
      .filter(([, n]) => n > 0)
      .map(([decorator, n]) => `${n} ${decorator} handler${n === 1 ? '' : 's'}`);
    if (!found.length) found.push('no decorated handlers');
    if (push) {
      where += `; pushed over OTLP (${push.protocol}) to ${push.endpoint} every ${push.intervalMs / 1000} s`;
    }
    return `${where}; ${[...found, `${metrics} metric${metrics === 1 ? '' : 's'}`].join(', ')}`;
  },
  tookOverPrometheusRoute: (path: string) =>
    `PrometheusModule.register() also maps GET ${path}; DynamoMetricsModule serves it, with prom-client's global registry (where PrometheusModule's metrics are) included. Remove PrometheusModule.register() once the move is done (makeCounterProvider and @InjectMetric work without it).`,
  /** Why a system port that is set starts no server (part of the start-up line). */
  systemPortIgnored: (
    portSource: string,
    port: number,
    enabledSource: string,
    explicitlyOff: boolean,
  ) =>
    explicitlyOff
      ? `${portSource}=${port} is ignored, ${enabledSource}=false turns exposure off`
      : `${portSource}=${port} is ignored, the classic naming needs ${enabledSource}=true as well, as the Dynamo guide says (under DYN_METRICS_NAMING=component the port alone starts the system server)`,
  clusterWorker: (pid: number) => `Reporting metrics to the cluster primary (worker pid ${pid})`,
  otlpExportFailing: (endpoint: string, reason: string, counter: string) =>
    `OTLP export to ${endpoint} failed: ${reason}. Retried every interval; the service is not affected. Failures are counted in ${counter}; the next line says when exports succeed again.`,
  otlpExportRecovered: (endpoint: string, failures: number, seconds: number) =>
    `OTLP export to ${endpoint} works again, after ${failures} failed export${failures === 1 ? '' : 's'} over ${seconds.toFixed(1)} s.`,
  otlpFinalExportFailed: (endpoint: string, timeoutMs: number, reason: string) =>
    `OTLP: the last export at shutdown to ${endpoint} did not complete within ${timeoutMs} ms: ${reason}`,
  metricCreated: (
    name: string,
    type: string,
    level: string,
    labelNames: readonly string[],
    constLabels: Readonly<Record<string, string>>,
  ) =>
    `metric ${name} (${type}) at ${level}, labels [${labelNames.join(', ')}]` +
    (Object.keys(constLabels).length ? ` = ${JSON.stringify(constLabels)}` : ''),
} as const;
