import { CONFIG_MESSAGES } from './config.messages';
import {
  DEFAULT_SYSTEM_CONNECTIONS,
  HEALTH_PATH,
  LIVE_PATH,
  STATUS_PAGE_PATH,
} from './dynamo-metrics.constants';
import type { DynamoMetricsConfig, DynamoSystemOptions } from './dynamo-metrics-options.interface';
import { fail, parseBoolean, parsePath, parsePositiveInteger } from './option-parsers';

/** Reads a setting from its variable, else from its option; parsed, or undefined when unset. */
export type SettingReader = <T>(
  variable: string,
  option: unknown,
  parse: (source: string, value: unknown) => T,
) => T | undefined;

/** What the rest of the configuration decided about the system server. */
export interface SystemServerBasis {
  enabled: boolean;
  port?: number;
  metricsPath: string;
  statusPage: boolean;
}

type SystemServerSettings = Pick<
  DynamoMetricsConfig['system'],
  'healthPath' | 'livePath' | 'webConfigFile' | 'protectProbes' | 'connections'
>;

export const SYSTEM_VARIABLES = {
  healthPath: 'DYN_SYSTEM_HEALTH_PATH',
  livePath: 'DYN_SYSTEM_LIVE_PATH',
  webConfigFile: 'DYN_SYSTEM_WEB_CONFIG_FILE',
} as const;

/**
 * The system server's probe paths, web config and connection limits (README, "Securing the
 * system server"): checked here, so that start-up stops on a bad value before any port opens.
 * The web config file itself is read when the server starts.
 */
export function resolveSystemServer(
  system: DynamoSystemOptions,
  read: SettingReader,
  basis: SystemServerBasis,
  sourceOf: (variable: string) => string,
  portVariable: string,
): SystemServerSettings {
  const healthPath =
    read(SYSTEM_VARIABLES.healthPath, system.healthPath, parsePath(HEALTH_PATH)) ?? HEALTH_PATH;
  const livePath =
    read(SYSTEM_VARIABLES.livePath, system.livePath, parsePath(LIVE_PATH)) ?? LIVE_PATH;
  const taken = new Map<string, string>([[basis.metricsPath, 'the metrics route']]);
  for (const [variable, path, route] of [
    [SYSTEM_VARIABLES.healthPath, healthPath, 'the health route'],
    [SYSTEM_VARIABLES.livePath, livePath, 'the liveness route'],
  ] as const) {
    const owner =
      taken.get(path) ??
      (basis.statusPage && isStatusPagePath(path) ? 'the status page' : undefined);
    if (owner) fail(CONFIG_MESSAGES.pathTaken(sourceOf(variable), path, owner));
    taken.set(path, route);
  }
  const webConfigFile = read(SYSTEM_VARIABLES.webConfigFile, system.webConfigFile, parseFileName);
  if (webConfigFile !== undefined && basis.enabled && basis.port === undefined) {
    fail(
      CONFIG_MESSAGES.webConfigNeedsSystemServer(
        sourceOf(SYSTEM_VARIABLES.webConfigFile),
        portVariable,
      ),
    );
  }
  return {
    healthPath,
    livePath,
    ...(webConfigFile === undefined ? {} : { webConfigFile }),
    protectProbes:
      system.protectProbes === undefined
        ? false
        : parseBoolean('option system.protectProbes', system.protectProbes),
    connections: resolveConnections(system.connections),
  };
}

function parseFileName(source: string, value: unknown): string {
  return typeof value === 'string' && value.trim() !== ''
    ? value
    : fail(CONFIG_MESSAGES.invalidFileName(source, value));
}

function resolveConnections(
  connections: DynamoSystemOptions['connections'] = {},
): DynamoMetricsConfig['system']['connections'] {
  const limit = (name: keyof typeof DEFAULT_SYSTEM_CONNECTIONS): number =>
    connections[name] === undefined
      ? DEFAULT_SYSTEM_CONNECTIONS[name]
      : parsePositiveInteger(`option system.connections.${name}`, connections[name]);
  const resolved = {
    max: limit('max'),
    idleTimeoutMs: limit('idleTimeoutMs'),
    headersTimeoutMs: limit('headersTimeoutMs'),
    requestTimeoutMs: limit('requestTimeoutMs'),
  };
  // Node refuses a server whose headers timeout outlasts its request timeout.
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    fail(CONFIG_MESSAGES.timeoutsOutOfOrder(resolved.headersTimeoutMs, resolved.requestTimeoutMs));
  }
  return resolved;
}

/** The paths the status page answers on, which the other routes must leave free. */
export const isStatusPagePath = (path: string): boolean =>
  path === '/' || path === STATUS_PAGE_PATH || path.startsWith(`${STATUS_PAGE_PATH}/`);
