import { CONFIG_MESSAGES } from './config.messages';
import {
  DEFAULT_HTTP_SERVER_BUCKETS,
  DEFAULT_KNOWN_HTTP_METHODS,
} from './dynamo-metrics.constants';
import type { DynamoMetricsModuleOptions } from './dynamo-metrics-options.interface';
import type { HttpServerConfig } from './http-server-options.interface';
import { fail, parseBoolean, parseBucketList } from './option-parsers';
import type { SettingReader } from './system-options';

export const HTTP_SERVER_VARIABLES = {
  httpServer: 'DYN_METRICS_HTTP_SERVER',
  /** OpenTelemetry's name, which its HTTP semantic conventions require for this override. */
  knownMethods: 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
} as const;

const SETTINGS = ['exclude', 'buckets', 'knownMethods'];

/**
 * `httpServer: true | { exclude, buckets, knownMethods }` and `DYN_METRICS_HTTP_SERVER`, which
 * wins over whether the metrics are on (the settings of an object still apply).
 */
export function resolveHttpServer(
  option: DynamoMetricsModuleOptions['httpServer'],
  read: SettingReader,
): HttpServerConfig {
  const isObject = option !== null && typeof option === 'object' && !Array.isArray(option);
  if (option !== undefined && typeof option !== 'boolean' && !isObject) {
    fail(CONFIG_MESSAGES.invalidHttpServer('option httpServer', option));
  }
  const settings = isObject ? option : {};
  for (const key of Object.keys(settings)) {
    if (!SETTINGS.includes(key)) fail(CONFIG_MESSAGES.unknownHttpServerSetting(key, SETTINGS));
  }
  const enabled = read(HTTP_SERVER_VARIABLES.httpServer, isObject || option, parseBoolean) ?? false;
  const { exclude, buckets } = settings;
  return {
    enabled,
    ...(exclude === undefined ? {} : { exclude: parseExclude(exclude) }),
    buckets:
      buckets === undefined
        ? DEFAULT_HTTP_SERVER_BUCKETS
        : parseBucketList('option httpServer.buckets', buckets),
    knownMethods:
      read(HTTP_SERVER_VARIABLES.knownMethods, settings.knownMethods, parseMethods) ??
      DEFAULT_KNOWN_HTTP_METHODS,
  };
}

function parseExclude(value: unknown): ReadonlyArray<string | RegExp> {
  const ok =
    Array.isArray(value) &&
    value.every((e) => e instanceof RegExp || (typeof e === 'string' && e.startsWith('/')));
  return ok
    ? Object.freeze([...(value as Array<string | RegExp>)])
    : fail(CONFIG_MESSAGES.invalidExclude('option httpServer.exclude', value));
}

/** Method names as tokens (RFC 9110), case-sensitive; a variable's are comma-separated. */
function parseMethods(source: string, value: unknown): readonly string[] {
  const list =
    typeof value === 'string' ? value.split(',').map((m) => m.trim()) : (value as unknown);
  const ok =
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((m) => typeof m === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(m));
  return ok
    ? Object.freeze([...new Set(list as string[])])
    : fail(CONFIG_MESSAGES.invalidKnownMethods(source, value));
}
