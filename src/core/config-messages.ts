// Texts of the configuration and exposure layers: parked in core until they move out with that layer.

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
    `${source}=${JSON.stringify(value)} is not valid; accepted values: a path starting with "/", such as "/metrics".`,
  portInUse: (server: string, host: string, port: number) =>
    `${server} cannot listen on ${host}:${port}: the port is already in use. ${server === SYSTEM_SERVER ? 'Set DYN_SYSTEM_PORT to a free port' : 'Choose a free port'}, or 0 for a random one.`,
  listenFailed: (server: string, host: string, port: number, reason: string) =>
    `${server} cannot listen on ${host}:${port}: ${reason}.${server === SYSTEM_SERVER ? ' Check DYN_SYSTEM_HOST and DYN_SYSTEM_PORT.' : ''}`,
} as const;
