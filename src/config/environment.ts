import { DEFAULT_PREFIX, DynamoMetricsError, isValidMetricName } from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
  HealthStatus,
} from './dynamo-metrics-options.interface';
import {
  DEFAULT_FRONTEND_PREFIX,
  DEFAULT_METRICS_PATH,
  DEFAULT_NAMESPACE,
  DEFAULT_SYSTEM_HOST,
  STATUS_PAGE_ASSETS_PATH,
  STATUS_PAGE_PATH,
} from './dynamo-metrics.constants';

/** The environment variables this package reads; each wins over the matching module option. */
export const ENV = {
  enabled: 'DYN_SYSTEM_ENABLED',
  port: 'DYN_SYSTEM_PORT',
  host: 'DYN_SYSTEM_HOST',
  startingHealthStatus: 'DYN_SYSTEM_STARTING_HEALTH_STATUS',
  useEndpointHealthStatus: 'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS',
  statusPage: 'DYN_SYSTEM_STATUS_PAGE',
  prefix: 'DYN_METRICS_PREFIX',
} as const;

type Env = Record<string, string | undefined>;

const fail = (message: string): never => {
  throw new DynamoMetricsError(message);
};

/** Reads a variable; an empty (or blank) value counts as unset. */
const read = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

function parseBoolean(source: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  return fail(CONFIG_MESSAGES.invalidBoolean(source, value));
}

function parsePort(source: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  return fail(CONFIG_MESSAGES.invalidPort(source, value));
}

function parseHealthStatus(source: string, value: unknown): HealthStatus {
  if (value === 'ready' || value === 'notready') return value;
  return fail(CONFIG_MESSAGES.invalidHealthStatus(source, value));
}

function parseEndpointList(source: string, value: unknown): string[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return fail(CONFIG_MESSAGES.invalidEndpointList(source, value));
    }
  }
  if (Array.isArray(list) && list.every((e) => typeof e === 'string' && e !== ''))
    return list as string[];
  return fail(CONFIG_MESSAGES.invalidEndpointList(source, value));
}

function parsePrefix(source: string, value: unknown): string {
  if (value === '' || isValidMetricName(value)) return value as string;
  return fail(CONFIG_MESSAGES.invalidPrefix(source, value));
}

function parseHost(source: string, value: unknown): string {
  if (typeof value === 'string' && /^[a-zA-Z0-9.:_\-[\]%]+$/.test(value)) return value;
  return fail(CONFIG_MESSAGES.invalidHost(source, value));
}

/**
 * Merges module options with the environment (the environment wins; empty variables are unset)
 * and validates both, so that a bad value stops start-up with a message naming it.
 */
export function resolveConfig(
  options: DynamoMetricsModuleOptions = {},
  env: Env = process.env,
): DynamoMetricsConfig {
  const system = options.system ?? {};
  const pick = <T>(
    name: string,
    option: unknown,
    parse: (source: string, v: unknown) => T,
  ): T | undefined => {
    const fromEnv = read(env, name);
    if (fromEnv !== undefined) return parse(name, fromEnv);
    return option === undefined ? undefined : parse(`option ${optionName(name)}`, option);
  };
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string' || namespace === '')
    fail(CONFIG_MESSAGES.invalidNamespace('option namespace', namespace));
  const metricsPath = system.metricsPath ?? DEFAULT_METRICS_PATH;
  if (typeof metricsPath !== 'string' || !metricsPath.startsWith('/')) {
    fail(CONFIG_MESSAGES.invalidMetricsPath('option system.metricsPath', metricsPath));
  }
  const statusPage = pick(ENV.statusPage, system.statusPage, parseBoolean) ?? false;
  if (statusPage && isStatusPagePath(metricsPath)) {
    fail(CONFIG_MESSAGES.metricsPathTakenByStatusPage(metricsPath, ENV.statusPage));
  }
  const frontendPrefix = options.frontend?.prefix ?? DEFAULT_FRONTEND_PREFIX;
  parsePrefix('option frontend.prefix', frontendPrefix);
  return {
    namespace,
    prefix: pick(ENV.prefix, options.prefix, parsePrefix) ?? DEFAULT_PREFIX,
    defaultComponent: options.defaultComponent,
    includeGlobalRegistry: options.includeGlobalRegistry ?? true,
    defaultMetrics: options.defaultMetrics ?? false,
    system: {
      enabled: pick(ENV.enabled, system.enabled, parseBoolean) ?? false,
      port: pick(ENV.port, system.port, parsePort),
      host: pick(ENV.host, system.host, parseHost) ?? DEFAULT_SYSTEM_HOST,
      startingHealthStatus:
        pick(ENV.startingHealthStatus, system.startingHealthStatus, parseHealthStatus) ??
        'notready',
      useEndpointHealthStatus:
        pick(ENV.useEndpointHealthStatus, system.useEndpointHealthStatus, parseEndpointList) ?? [],
      metricsPath,
      statusPage,
    },
    frontendPrefix,
  };
}

/** The paths the status page answers on, which the metrics route must leave free. */
const isStatusPagePath = (path: string): boolean =>
  path === '/' || path === STATUS_PAGE_PATH || path.startsWith(STATUS_PAGE_ASSETS_PATH);

function optionName(envName: string): string {
  switch (envName) {
    case ENV.prefix:
      return 'prefix';
    case ENV.enabled:
      return 'system.enabled';
    case ENV.port:
      return 'system.port';
    case ENV.host:
      return 'system.host';
    case ENV.startingHealthStatus:
      return 'system.startingHealthStatus';
    case ENV.statusPage:
      return 'system.statusPage';
    default:
      return 'system.useEndpointHealthStatus';
  }
}
