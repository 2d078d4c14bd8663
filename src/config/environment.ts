import {
  DEFAULT_PREFIX,
  DynamoMetricsError,
  isValidMetricName,
  NAMING_PROFILES,
  NamingProfileName,
} from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
  HealthStatus,
} from './dynamo-metrics-options.interface';
import {
  DEFAULT_FRONTEND_PREFIXES,
  DEFAULT_METRICS_PATH,
  DEFAULT_NAMESPACE,
  DEFAULT_SYSTEM_HOST,
} from './dynamo-metrics.constants';

/** The environment variables this package reads; each wins over the matching module option. */
export const ENV = {
  enabled: 'DYN_SYSTEM_ENABLED',
  port: 'DYN_SYSTEM_PORT',
  host: 'DYN_SYSTEM_HOST',
  startingHealthStatus: 'DYN_SYSTEM_STARTING_HEALTH_STATUS',
  useEndpointHealthStatus: 'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS',
  /** The LLM frontend family's prefix, as in Dynamo (not the hierarchy's). */
  prefix: 'DYN_METRICS_PREFIX',
  naming: 'DYN_METRICS_NAMING',
  exemplars: 'DYN_METRICS_EXEMPLARS',
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

function parseNaming(source: string, value: unknown): NamingProfileName {
  if ((NAMING_PROFILES as readonly unknown[]).includes(value)) return value as NamingProfileName;
  return fail(CONFIG_MESSAGES.invalidNaming(source, value, NAMING_PROFILES));
}

function parseOptionalBoolean(source: string, value: unknown): boolean | undefined {
  return value === undefined ? undefined : parseBoolean(source, value);
}

function parseHost(source: string, value: unknown): string {
  if (typeof value === 'string' && /^[a-zA-Z0-9.:_\-[\]%]+$/.test(value)) return value;
  return fail(CONFIG_MESSAGES.invalidHost(source, value));
}

function parseLabels(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const ok =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
  if (!ok) return fail(CONFIG_MESSAGES.invalidLabels('option labels', value));
  // Label names are checked by the runtime, against the profile's hierarchy labels.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function parseTraceContext(value: unknown): DynamoMetricsConfig['traceContext'] {
  if (value === undefined || typeof value === 'function') {
    return value as DynamoMetricsConfig['traceContext'];
  }
  return fail(CONFIG_MESSAGES.invalidFunction('option traceContext', value));
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
  const naming = pick(ENV.naming, options.naming, parseNaming) ?? 'classic';
  const component = naming === 'component';
  const worker = options.worker ?? {};
  return {
    namespace,
    naming,
    // The hierarchy prefix has no variable: DYN_METRICS_PREFIX names the frontend family.
    prefix:
      options.prefix === undefined ? DEFAULT_PREFIX : parsePrefix('option prefix', options.prefix),
    labels: parseLabels(options.labels),
    worker: {
      cancellation:
        parseOptionalBoolean('option worker.cancellation', worker.cancellation) ?? component,
      timeToFirstResponse:
        parseOptionalBoolean('option worker.timeToFirstResponse', worker.timeToFirstResponse) ??
        component,
    },
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
    },
    frontendPrefix:
      pick(ENV.prefix, options.frontend?.prefix, parsePrefix) ?? DEFAULT_FRONTEND_PREFIXES[naming],
    exemplars: pick(ENV.exemplars, options.exemplars, parseBoolean) ?? false,
    traceContext: parseTraceContext(options.traceContext),
  };
}

function optionName(envName: string): string {
  switch (envName) {
    case ENV.prefix:
      return 'frontend.prefix';
    case ENV.naming:
      return 'naming';
    case ENV.exemplars:
      return 'exemplars';
    case ENV.enabled:
      return 'system.enabled';
    case ENV.port:
      return 'system.port';
    case ENV.host:
      return 'system.host';
    case ENV.startingHealthStatus:
      return 'system.startingHealthStatus';
    default:
      return 'system.useEndpointHealthStatus';
  }
}
