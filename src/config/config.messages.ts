import { DEFAULT_METRICS_PATH } from './dynamo-metrics.constants';

/** Name of the dedicated system server in start-up errors and logs. */
export const SYSTEM_SERVER = 'Dynamo system server';

/** Start-up errors of the Nest module and the exposure layer (environment and options). */
export const CONFIG_MESSAGES = {
  invalidBoolean: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: "true" or "false" (empty means unset).`,
  invalidPort: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a whole number from 0 to 65535 (0 picks a free port; empty means unset).`,
  invalidHost: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a host name or IP address such as 0.0.0.0 or 127.0.0.1.`,
  invalidHealthStatus: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: "ready" or "notready".`,
  invalidEndpointList: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a JSON array of endpoint names such as ["generate"] (empty means unset).`,
  invalidPrefix: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: '' (no prefix) or a name matching [a-zA-Z_:][a-zA-Z0-9_:]*.`,
  invalidNamespace: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a non-empty name such as "dynamo".`,
  invalidMetricsPath: (source: string, value: unknown) =>
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a path starting with "/", such as "${DEFAULT_METRICS_PATH}".`,
  portInUse: (server: string, host: string, port: number, portVariable?: string) =>
    `${server} cannot listen on ${host}:${port}: the port is already in use. ${portVariable ? `Set ${portVariable} to a free port` : 'Choose a free port'}, or 0 for a random one.`,
  listenFailed: (server: string, host: string, port: number, reason: string, variables?: string) =>
    `${server} cannot listen on ${host}:${port}: ${reason}.${variables ? ` Check ${variables}.` : ''}`,
} as const;

/** Log lines of the Nest layers, kept beside the errors so wording stays consistent. */
export const LOG_MESSAGES = {
  systemServerListening: (url: string, host: string, metricsPath: string) =>
    `Dynamo system server listening on ${url} (host ${host}): ${metricsPath}, /health, /live`,
  systemServerFailed: (path: string, reason: string) =>
    `System server failed on ${path}: ${reason}`,
  /** The one `log` line at start-up: what is served where, and what was found. */
  startupSummary: (
    exposure:
      | { mode: 'off' }
      | { mode: 'in-app'; path: string }
      | { mode: 'system'; url: string; path: string },
    handlers: ReadonlyArray<readonly [decorator: string, count: number]>,
    metrics: number,
  ) => {
    const where =
      exposure.mode === 'off'
        ? 'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true)'
        : exposure.mode === 'in-app'
          ? `Metrics served in-app at GET ${exposure.path} on the application's port`
          : `Metrics served by the system server at ${exposure.url} (${exposure.path}, /health, /live)`;
    const found = handlers
      .filter(([, n]) => n > 0)
      .map(([decorator, n]) => `${n} ${decorator} handler${n === 1 ? '' : 's'}`);
    if (!found.length) found.push('no decorated handlers');
    return `${where}; ${[...found, `${metrics} metric${metrics === 1 ? '' : 's'}`].join(', ')}`;
  },
  clusterWorker: (pid: number) => `Reporting metrics to the cluster primary (worker pid ${pid})`,
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
