import {
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  DEFAULT_MAX_SERIES,
  DEFAULT_PREFIX,
  namingProfile,
} from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import { resolveFrontendBuckets } from './frontend-buckets';
import { parseLabels, parseNaming, resolveWorkerExtras } from './naming-options';
import { OTLP_OPTION_OF, OTLP_VARIABLES, resolveOtlp } from './otlp-options';
import { isStatusPagePath, resolveSystemServer, SYSTEM_VARIABLES } from './system-options';
import { HTTP_SERVER_VARIABLES, resolveHttpServer } from './http-server-options';
import {
  fail,
  parseBoolean,
  parseBudgetMap,
  parseEndpointList,
  parseHealthStatus,
  parseHost,
  parseLogLevel,
  parseModels,
  parsePort,
  parsePositiveInteger,
  parsePrefix,
  parseTimeout,
  parseTraceContext,
} from './option-parsers';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
} from './dynamo-metrics-options.interface';
import {
  DEFAULT_FRONTEND_MAX_MODELS,
  DEFAULT_MAX_CALL_LABEL_SETS,
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
  statusPage: 'DYN_SYSTEM_STATUS_PAGE',
  ...SYSTEM_VARIABLES,
  ...OTLP_VARIABLES,
  ...HTTP_SERVER_VARIABLES,
  /** The LLM frontend family's prefix, as in Dynamo (not the hierarchy's). */
  prefix: 'DYN_METRICS_PREFIX',
  naming: 'DYN_METRICS_NAMING',
  exemplars: 'DYN_METRICS_EXEMPLARS',
  maxSeries: 'DYN_METRICS_MAX_SERIES',
  maxSeriesPerMetric: 'DYN_METRICS_MAX_SERIES_PER_METRIC',
  maxLabelValueLength: 'DYN_METRICS_MAX_LABEL_VALUE_LENGTH',
  frontendMaxModels: 'DYN_METRICS_FRONTEND_MAX_MODELS',
  maxCallLabelSets: 'DYN_METRICS_MAX_CALL_LABEL_SETS',
  log: 'DYN_LOG',
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
  [ENV.healthPath]: 'system.healthPath',
  [ENV.livePath]: 'system.livePath',
  [ENV.webConfigFile]: 'system.webConfigFile',
  [ENV.maxSeries]: 'series.maxSeries',
  [ENV.maxSeriesPerMetric]: 'series.maxSeriesPerMetric',
  [ENV.maxLabelValueLength]: 'series.maxLabelValueLength',
  [ENV.frontendMaxModels]: 'frontend.maxModels',
  [ENV.maxCallLabelSets]: 'series.maxCallLabelSets',
  [ENV.log]: 'logLevel',
  ...OTLP_OPTION_OF,
  [ENV.httpServer]: 'httpServer',
  [ENV.knownMethods]: 'httpServer.knownMethods',
};

type Env = Record<string, string | undefined>;

/** Reads a variable; an empty (or blank) value counts as unset. */
const read = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

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
  const profile = namingProfile(naming);
  const frontend = options.frontend ?? {};
  const frontendPrefix =
    pick(ENV.prefix, frontend.prefix, parsePrefix) ?? profile.frontend.defaultPrefix;
  // The hierarchy prefix has no variable: DYN_METRICS_PREFIX names the frontend family.
  const prefix =
    options.prefix === undefined ? DEFAULT_PREFIX : parsePrefix('option prefix', options.prefix);
  const hierarchyPrefix = profile.hierarchyPrefix(() => prefix);
  if (hierarchyPrefix === frontendPrefix) {
    const source =
      hierarchyPrefix === prefix ? 'option prefix' : `option naming="${naming}" prefix`;
    fail(
      CONFIG_MESSAGES.prefixCollidesWithFrontend(
        source,
        hierarchyPrefix,
        read(env, ENV.prefix) !== undefined || frontend.prefix !== undefined
          ? sourceOf(env, ENV.prefix)
          : `the ${naming} default`,
      ),
    );
  }
  const port = pick(ENV.port, system.port, parsePort);
  if (port !== undefined && port !== 0 && read(env, 'PORT') === String(port)) {
    fail(CONFIG_MESSAGES.systemPortIsAppPort(sourceOf(env, ENV.port), port));
  }
  // Today's Dynamo starts its system server on DYN_SYSTEM_PORT alone; the guide also wants
  // DYN_SYSTEM_ENABLED=true. Set either way, DYN_SYSTEM_ENABLED decides.
  const enabled =
    pick(ENV.enabled, system.enabled, parseBoolean) ??
    (namingProfile(naming).systemPortAloneEnables && port !== undefined);
  const server = resolveSystemServer(
    system,
    pick,
    { enabled, port, metricsPath, statusPage },
    (variable) => sourceOf(env, variable),
    ENV.port,
  );
  const series = options.series ?? {};
  return {
    namespace,
    naming,
    prefix,
    labels: parseLabels(options.labels),
    worker: resolveWorkerExtras(options.worker, profile.workerExtras),
    defaultComponent: options.defaultComponent,
    includeGlobalRegistry: options.includeGlobalRegistry ?? true,
    defaultMetrics: options.defaultMetrics ?? false,
    system: {
      enabled,
      port,
      host: pick(ENV.host, system.host, parseHost) ?? DEFAULT_SYSTEM_HOST,
      startingHealthStatus:
        pick(ENV.startingHealthStatus, system.startingHealthStatus, parseHealthStatus) ??
        'notready',
      useEndpointHealthStatus:
        pick(ENV.useEndpointHealthStatus, system.useEndpointHealthStatus, parseEndpointList) ?? [],
      metricsPath,
      statusPage,
      ...server,
    },
    frontendPrefix,
    frontendMaxModels:
      pick(ENV.frontendMaxModels, frontend.maxModels, parsePositiveInteger) ??
      DEFAULT_FRONTEND_MAX_MODELS,
    frontendModels: parseModels(frontend.models),
    frontendBuckets: resolveFrontendBuckets(profile.frontend, frontend.buckets, env),
    frontendTimeouts: {
      firstTokenMs: parseTimeout(
        'option frontend.firstTokenTimeoutMs',
        frontend.firstTokenTimeoutMs,
      ),
      interTokenMs: parseTimeout(
        'option frontend.interTokenTimeoutMs',
        frontend.interTokenTimeoutMs,
      ),
    },
    series: {
      maxSeries: pick(ENV.maxSeries, series.maxSeries, parsePositiveInteger) ?? DEFAULT_MAX_SERIES,
      maxSeriesPerMetric:
        pick(ENV.maxSeriesPerMetric, series.maxSeriesPerMetric, parseBudgetMap) ?? {},
      maxLabelValueLength:
        pick(ENV.maxLabelValueLength, series.maxLabelValueLength, parsePositiveInteger) ??
        DEFAULT_MAX_LABEL_VALUE_LENGTH,
      maxCallLabelSets:
        pick(ENV.maxCallLabelSets, series.maxCallLabelSets, parsePositiveInteger) ??
        DEFAULT_MAX_CALL_LABEL_SETS,
    },
    httpServer: resolveHttpServer(options.httpServer, pick),
    exemplars: pick(ENV.exemplars, options.exemplars, parseBoolean) ?? false,
    traceContext: parseTraceContext(options.traceContext),
    logLevel: pick(ENV.log, options.logLevel, parseLogLevel) ?? 'info',
    otlp: resolveOtlp(options.otlp, pick),
  };
}

/** How an error names a setting: the variable when it is set, else the module option. */
const sourceOf = (env: Env, name: string): string =>
  read(env, name) !== undefined ? name : `option ${OPTION_OF[name]}`;

/** `sourceOf` for checks made after start-up, against the process environment. */
export const settingSource = (name: string): string => sourceOf(process.env, name);
