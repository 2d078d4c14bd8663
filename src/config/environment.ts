import { isIP } from 'node:net';
import {
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  DEFAULT_MAX_SERIES,
  DEFAULT_PREFIX,
  DynamoMetricsError,
  isValidMetricName,
  COMPONENT_NAMING,
} from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import { parseLabels, parseNaming, resolveWorkerExtras } from './naming-options';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
  HealthStatus,
} from './dynamo-metrics-options.interface';
import {
  DEFAULT_FRONTEND_MAX_MODELS,
  DEFAULT_FRONTEND_PREFIXES,
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
  /** The LLM frontend family's prefix, as in Dynamo (not the hierarchy's). */
  prefix: 'DYN_METRICS_PREFIX',
  naming: 'DYN_METRICS_NAMING',
  exemplars: 'DYN_METRICS_EXEMPLARS',
  maxSeries: 'DYN_METRICS_MAX_SERIES',
  maxSeriesPerMetric: 'DYN_METRICS_MAX_SERIES_PER_METRIC',
  maxLabelValueLength: 'DYN_METRICS_MAX_LABEL_VALUE_LENGTH',
  frontendMaxModels: 'DYN_METRICS_FRONTEND_MAX_MODELS',
} as const;

/** The module option each variable overrides, named in errors about the option. */
const OPTION_OF: Record<string, string> = {
  [ENV.prefix]: 'frontend.prefix',
  [ENV.naming]: 'naming',
  [ENV.exemplars]: 'exemplars',
  [ENV.statusPage]: 'system.statusPage',
  [ENV.enabled]: 'system.enabled',
  [ENV.port]: 'system.port',
  [ENV.host]: 'system.host',
  [ENV.startingHealthStatus]: 'system.startingHealthStatus',
  [ENV.useEndpointHealthStatus]: 'system.useEndpointHealthStatus',
  [ENV.maxSeries]: 'series.maxSeries',
  [ENV.maxSeriesPerMetric]: 'series.maxSeriesPerMetric',
  [ENV.maxLabelValueLength]: 'series.maxLabelValueLength',
  [ENV.frontendMaxModels]: 'frontend.maxModels',
};

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

/** A host name, an IPv4 address, or an IPv6 address bare or in brackets (`[::1]` -> `::1`). */
function parseHost(source: string, value: unknown): string {
  if (typeof value === 'string') {
    const bracketed = /^\[(.*)\]$/.exec(value);
    if (bracketed) {
      if (isIP(bracketed[1]!) === 6) return bracketed[1]!;
    } else if (isIP(value) !== 0 || /^[a-zA-Z0-9_]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$/.test(value)) {
      return value;
    }
  }
  return fail(CONFIG_MESSAGES.invalidHost(source, value));
}

function parseTraceContext(value: unknown): DynamoMetricsConfig['traceContext'] {
  if (value === undefined || typeof value === 'function') {
    return value as DynamoMetricsConfig['traceContext'];
  }
  return fail(CONFIG_MESSAGES.invalidFunction('option traceContext', value));
}

function parsePositiveInteger(source: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) return n;
  return fail(CONFIG_MESSAGES.invalidPositiveInteger(source, value));
}

function parseBudgetMap(source: string, value: unknown): Record<string, number> {
  let map = value;
  if (typeof value === 'string') {
    try {
      map = JSON.parse(value);
    } catch {
      return fail(CONFIG_MESSAGES.invalidBudgetMap(source, value));
    }
  }
  const valid =
    map !== null &&
    typeof map === 'object' &&
    !Array.isArray(map) &&
    Object.entries(map).every(
      ([name, n]) => isValidMetricName(name) && Number.isSafeInteger(n) && (n as number) >= 1,
    );
  return valid
    ? { ...(map as Record<string, number>) }
    : fail(CONFIG_MESSAGES.invalidBudgetMap(source, value));
}

function parseModels(
  value: unknown,
): ReadonlySet<string> | ((model: string) => boolean) | undefined {
  if (value === undefined || typeof value === 'function') {
    return value as ((model: string) => boolean) | undefined;
  }
  if (Array.isArray(value) && value.every((m) => typeof m === 'string')) {
    return new Set(value.map((m: string) => m.toLowerCase()));
  }
  return fail(CONFIG_MESSAGES.invalidModels('option frontend.models', value));
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
    return option === undefined ? undefined : parse(`option ${OPTION_OF[name]}`, option);
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
  const naming = pick(ENV.naming, options.naming, parseNaming) ?? 'classic';
  const component = naming === 'component';
  const frontendPrefix =
    pick(ENV.prefix, options.frontend?.prefix, parsePrefix) ?? DEFAULT_FRONTEND_PREFIXES[naming];
  // The hierarchy prefix has no variable: DYN_METRICS_PREFIX names the frontend family.
  const prefix =
    options.prefix === undefined ? DEFAULT_PREFIX : parsePrefix('option prefix', options.prefix);
  const hierarchyPrefix = component ? COMPONENT_NAMING.fixedPrefix! : prefix;
  if (hierarchyPrefix === frontendPrefix) {
    const source = component ? `option naming="component" prefix` : 'option prefix';
    fail(
      CONFIG_MESSAGES.prefixCollidesWithFrontend(
        source,
        hierarchyPrefix,
        read(env, ENV.prefix) !== undefined || options.frontend?.prefix !== undefined
          ? sourceOf(env, ENV.prefix)
          : `the ${naming} default`,
      ),
    );
  }
  const port = pick(ENV.port, system.port, parsePort);
  if (port !== undefined && port !== 0 && read(env, 'PORT') === String(port)) {
    fail(CONFIG_MESSAGES.systemPortIsAppPort(sourceOf(env, ENV.port), port));
  }
  const series = options.series ?? {};
  return {
    namespace,
    naming,
    prefix,
    labels: parseLabels(options.labels),
    worker: resolveWorkerExtras(options.worker, component),
    defaultComponent: options.defaultComponent,
    includeGlobalRegistry: options.includeGlobalRegistry ?? true,
    defaultMetrics: options.defaultMetrics ?? false,
    system: {
      enabled: pick(ENV.enabled, system.enabled, parseBoolean) ?? false,
      port,
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
    frontendMaxModels:
      pick(ENV.frontendMaxModels, options.frontend?.maxModels, parsePositiveInteger) ??
      DEFAULT_FRONTEND_MAX_MODELS,
    frontendModels: parseModels(options.frontend?.models),
    series: {
      maxSeries: pick(ENV.maxSeries, series.maxSeries, parsePositiveInteger) ?? DEFAULT_MAX_SERIES,
      maxSeriesPerMetric:
        pick(ENV.maxSeriesPerMetric, series.maxSeriesPerMetric, parseBudgetMap) ?? {},
      maxLabelValueLength:
        pick(ENV.maxLabelValueLength, series.maxLabelValueLength, parsePositiveInteger) ??
        DEFAULT_MAX_LABEL_VALUE_LENGTH,
    },
    exemplars: pick(ENV.exemplars, options.exemplars, parseBoolean) ?? false,
    traceContext: parseTraceContext(options.traceContext),
  };
}

/** How an error names a setting: the variable when it is set, else the module option. */
const sourceOf = (env: Env, name: string): string =>
  read(env, name) !== undefined ? name : `option ${OPTION_OF[name]}`;

/** The paths the status page answers on, which the metrics route must leave free. */
const isStatusPagePath = (path: string): boolean =>
  path === '/' || path === STATUS_PAGE_PATH || path.startsWith(STATUS_PAGE_ASSETS_PATH);
