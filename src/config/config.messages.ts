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
  metricsPathTakenByStatusPage: (path: string, statusPageVariable: string) =>
    `option system.metricsPath="${path}" is taken by the status page (${statusPageVariable}=true serves "/", "/status" and "/status/assets/"); choose another metrics path, such as "${DEFAULT_METRICS_PATH}".`,
  statusPageAssetsMissing: (dir: string) =>
    `The status page (DYN_SYSTEM_STATUS_PAGE) cannot find its files in ${dir}; the package build copies them there ("npm run build"). Reinstall the package, or turn the status page off.`,
  portInUse: (server: string, host: string, port: number, portVariable?: string) =>
    `${server} cannot listen on ${host}:${port}: the port is already in use. ${portVariable ? `Set ${portVariable} to a free port` : 'Choose a free port'}, or 0 for a random one.`,
  listenFailed: (server: string, host: string, port: number, reason: string, variables?: string) =>
    `${server} cannot listen on ${host}:${port}: ${reason}.${variables ? ` Check ${variables}.` : ''}`,
} as const;

/** Log lines of the Nest layers, kept beside the errors so wording stays consistent. */
export const LOG_MESSAGES = {
  systemServerListening: (url: string, host: string, metricsPath: string) =>
    `Dynamo system server listening on ${url} (host ${host}): ${metricsPath}, /health, /live`,
  statusPageServed: (url: string) => `Dynamo status page: ${url}/`,
  statusPageNeedsSystemServer: (variable: string, portVariable: string) =>
    `${variable} is on, but the status page is served only by the dedicated system server: set ${portVariable} to show it (it is never served on the application's port).`,
  systemServerFailed: (path: string, reason: string) =>
    `System server failed on ${path}: ${reason}`,
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
