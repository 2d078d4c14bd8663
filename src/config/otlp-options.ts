import { CONFIG_MESSAGES } from './config.messages';
import {
  DEFAULT_OTLP_COMPRESSION,
  DEFAULT_OTLP_EXPORT_TIMEOUT_MS,
  DEFAULT_OTLP_GRPC_ENDPOINT,
  DEFAULT_OTLP_HTTP_ENDPOINT,
  DEFAULT_OTLP_INTERVAL_MS,
  DEFAULT_OTLP_PROTOCOL,
  DEFAULT_OTLP_TIMEOUT_MS,
  OTLP_COMPRESSIONS,
  OTLP_METRICS_PATH,
  OTLP_PROTOCOLS,
} from './dynamo-metrics.constants';
import type {
  DynamoOtlpOptions,
  OtlpCompression,
  OtlpConfig,
  OtlpProtocol,
} from './dynamo-otlp-options.interface';
import { fail, parseBoolean, parsePositiveInteger } from './option-parsers';
import type { SettingReader } from './system-options';

/**
 * OTLP push (README, "Pushing with OTLP"): OpenTelemetry's standard variables, each winning over
 * its `otlp.*` option. A signal-specific variable (`..._METRICS_...`) wins over the generic one.
 */
export const OTLP_VARIABLES = {
  otlpExporter: 'OTEL_METRICS_EXPORTER',
  otlpProtocol: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  otlpProtocolAll: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  otlpEndpointAll: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otlpHeaders: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  otlpHeadersAll: 'OTEL_EXPORTER_OTLP_HEADERS',
  otlpTimeout: 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
  otlpTimeoutAll: 'OTEL_EXPORTER_OTLP_TIMEOUT',
  otlpCompression: 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
  otlpCompressionAll: 'OTEL_EXPORTER_OTLP_COMPRESSION',
  otlpTemporality: 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
  otlpInterval: 'OTEL_METRIC_EXPORT_INTERVAL',
  otlpExportTimeout: 'OTEL_METRIC_EXPORT_TIMEOUT',
  serviceName: 'OTEL_SERVICE_NAME',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
} as const;

const V = OTLP_VARIABLES;

/** The option each variable overrides (for a pair, the generic variable names it). */
export const OTLP_OPTION_OF: Record<string, string> = {
  [V.otlpProtocolAll]: 'otlp.protocol',
  [V.otlpTimeoutAll]: 'otlp.timeoutMs',
  [V.otlpCompressionAll]: 'otlp.compression',
  [V.otlpInterval]: 'otlp.intervalMs',
  [V.otlpExportTimeout]: 'otlp.exportTimeoutMs',
};

/** OTEL_METRICS_EXPORTER: a list; `otlp` pushes, `none` and `prometheus` (pull) do not. */
function parseExporters(source: string, value: unknown): boolean {
  const names =
    typeof value === 'string' ? value.split(',').map((n) => n.trim().toLowerCase()) : [];
  if (names.length && names.every((n) => ['otlp', 'none', 'prometheus'].includes(n))) {
    return names.includes('otlp');
  }
  return fail(CONFIG_MESSAGES.invalidMetricsExporter(source, value));
}

const parseChoice =
  <T extends string>(accepted: readonly T[]) =>
  (source: string, value: unknown): T =>
    typeof value === 'string' && accepted.includes(value.toLowerCase() as T)
      ? (value.toLowerCase() as T)
      : fail(CONFIG_MESSAGES.invalidChoice(source, value, accepted));

function parseEndpoint(source: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return value as string;
  return fail(CONFIG_MESSAGES.invalidOtlpEndpoint(source, value));
}

/** `key=value,key2=value2`, values percent-encoded (W3C Baggage, as OpenTelemetry reads it). */
function parsePairs(
  source: string,
  value: unknown,
  isKey: (key: string) => boolean,
  invalid: (source: string, value: unknown) => string,
): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([k, v]) => isKey(k) && typeof v === 'string' && !/[\r\n]/.test(v))) {
      return Object.fromEntries(entries) as Record<string, string>;
    }
    return fail(invalid(source, value));
  }
  const pairs: Record<string, string> = {};
  for (const entry of typeof value === 'string' ? value.split(',') : [undefined]) {
    const at = entry?.indexOf('=') ?? -1;
    if (entry === undefined || at < 0) return fail(invalid(source, value));
    const key = entry.slice(0, at).trim();
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      decoded = undefined;
    }
    if (!isKey(key) || decoded === undefined || /[\r\n]/.test(decoded)) {
      return fail(invalid(source, value));
    }
    pairs[key] = decoded;
  }
  return pairs;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const parseHeaders = (source: string, value: unknown) =>
  parsePairs(source, value, (k) => HEADER_NAME.test(k), CONFIG_MESSAGES.invalidOtlpHeaders);
const parseAttributes = (source: string, value: unknown) =>
  parsePairs(source, value, (k) => k !== '', CONFIG_MESSAGES.invalidResourceAttributes);

function parseServiceName(source: string, value: unknown): string {
  return typeof value === 'string' && value.trim() !== ''
    ? value
    : fail(CONFIG_MESSAGES.invalidServiceName(source, value));
}

/** OTLP export settings, or undefined when the export is off (the default). */
export function resolveOtlp(
  otlp: DynamoOtlpOptions | undefined,
  read: SettingReader,
): OtlpConfig | undefined {
  if (otlp !== undefined && (otlp === null || typeof otlp !== 'object' || Array.isArray(otlp))) {
    fail(CONFIG_MESSAGES.invalidOtlpOption(otlp));
  }
  const options = otlp ?? {};
  // The variable decides when set; otherwise giving `otlp` turns the export on.
  const enabled =
    read(V.otlpExporter, undefined, parseExporters) ??
    (otlp !== undefined && parseBoolean('option otlp.enabled', options.enabled ?? true));
  if (!enabled) return undefined;
  // A pair: the signal-specific variable, else the generic one, else the option.
  const either = <T>(
    specific: string,
    generic: string,
    option: unknown,
    parse: (source: string, value: unknown) => T,
  ) => read(specific, undefined, parse) ?? read(generic, option, parse);
  const protocol =
    either(V.otlpProtocol, V.otlpProtocolAll, options.protocol, parseChoice(OTLP_PROTOCOLS)) ??
    DEFAULT_OTLP_PROTOCOL;
  const endpoint = resolveEndpoint(protocol, options.endpoint, read);
  read(V.otlpTemporality, undefined, parseChoice(['cumulative']));
  const intervalMs =
    read(V.otlpInterval, options.intervalMs, parsePositiveInteger) ?? DEFAULT_OTLP_INTERVAL_MS;
  const exportTimeoutMs = Math.min(
    intervalMs,
    read(V.otlpExportTimeout, options.exportTimeoutMs, parsePositiveInteger) ??
      DEFAULT_OTLP_EXPORT_TIMEOUT_MS,
  );
  const timeoutMs = Math.min(
    exportTimeoutMs,
    either(V.otlpTimeout, V.otlpTimeoutAll, options.timeoutMs, parsePositiveInteger) ??
      DEFAULT_OTLP_TIMEOUT_MS,
  );
  // Headers and resource attributes merge key by key: variables win over the option.
  const option = <T>(name: string, value: unknown, parse: (s: string, v: unknown) => T) =>
    value === undefined ? undefined : parse(`option ${name}`, value);
  const headers = {
    ...option('otlp.headers', options.headers, parseHeaders),
    ...read(V.otlpHeadersAll, undefined, parseHeaders),
    ...read(V.otlpHeaders, undefined, parseHeaders),
  };
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES, as the spec says.
  const serviceName = option('otlp.serviceName', options.serviceName, parseServiceName);
  const fromEnv = read(V.serviceName, undefined, parseServiceName);
  const resource: Record<string, string> = {
    ...option('otlp.resourceAttributes', options.resourceAttributes, parseAttributes),
    ...(serviceName === undefined ? {} : { 'service.name': serviceName }),
    ...read(V.resourceAttributes, undefined, parseAttributes),
    ...(fromEnv === undefined ? {} : { 'service.name': fromEnv }),
  };
  return {
    protocol,
    endpoint,
    headers,
    timeoutMs,
    compression:
      either(
        V.otlpCompression,
        V.otlpCompressionAll,
        options.compression,
        parseChoice<OtlpCompression>(OTLP_COMPRESSIONS),
      ) ?? DEFAULT_OTLP_COMPRESSION,
    intervalMs,
    exportTimeoutMs,
    resource,
  };
}

/**
 * The metrics endpoint: `..._METRICS_ENDPOINT` (or the option) as given; the generic
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL, to which http protocols add `v1/metrics`.
 */
function resolveEndpoint(protocol: OtlpProtocol, option: unknown, read: SettingReader): string {
  const specific = read(V.otlpEndpoint, undefined, parseEndpoint);
  if (specific !== undefined) return specific;
  const base = read(V.otlpEndpointAll, undefined, parseEndpoint);
  if (base !== undefined) {
    return protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/${OTLP_METRICS_PATH}`;
  }
  if (option !== undefined) return parseEndpoint('option otlp.endpoint', option);
  return protocol === 'grpc' ? DEFAULT_OTLP_GRPC_ENDPOINT : DEFAULT_OTLP_HTTP_ENDPOINT;
}
