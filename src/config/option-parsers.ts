import { isIP } from 'node:net';
import { DynamoMetricsError, isValidMetricName } from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import type { DynamoMetricsConfig, HealthStatus } from './dynamo-metrics-options.interface';

/**
 * Parsers of option and environment values: each takes where the value came from (a variable's
 * name, or `option x`) for its error message, and returns the value or stops start-up.
 */

export const fail = (message: string): never => {
  throw new DynamoMetricsError(message);
};

export function parseBoolean(source: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  return fail(CONFIG_MESSAGES.invalidBoolean(source, value));
}

export function parsePort(source: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  return fail(CONFIG_MESSAGES.invalidPort(source, value));
}

/** A route path of the system server: `/` and then no spaces, `?` or `#`. */
export const parsePath =
  (example: string) =>
  (source: string, value: unknown): string =>
    typeof value === 'string' && /^\/[^\s?#]*$/.test(value)
      ? value
      : fail(CONFIG_MESSAGES.invalidPath(source, value, example));

export function parseHealthStatus(source: string, value: unknown): HealthStatus {
  if (value === 'ready' || value === 'notready') return value;
  return fail(CONFIG_MESSAGES.invalidHealthStatus(source, value));
}

/** A variable's JSON text parsed (an option's value as given); `undefined` when it is not JSON. */
function fromJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

export function parseEndpointList(source: string, value: unknown): string[] {
  const list = fromJson(value);
  if (Array.isArray(list) && list.every((e) => typeof e === 'string' && e !== ''))
    return list as string[];
  return fail(CONFIG_MESSAGES.invalidEndpointList(source, value));
}

export function parsePrefix(source: string, value: unknown): string {
  if (value === '' || isValidMetricName(value)) return value as string;
  return fail(CONFIG_MESSAGES.invalidPrefix(source, value));
}

/** A host name, an IPv4 address, or an IPv6 address bare or in brackets (`[::1]` -> `::1`). */
export function parseHost(source: string, value: unknown): string {
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

export function parseTraceContext(value: unknown): DynamoMetricsConfig['traceContext'] {
  if (value === undefined || typeof value === 'function') {
    return value as DynamoMetricsConfig['traceContext'];
  }
  return fail(CONFIG_MESSAGES.invalidFunction('option traceContext', value));
}

export function parsePositiveInteger(source: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) return n;
  return fail(CONFIG_MESSAGES.invalidPositiveInteger(source, value));
}

export function parseBudgetMap(source: string, value: unknown): Record<string, number> {
  const map = fromJson(value);
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

export function parseModels(
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

/** Dynamo's log levels; `DYN_LOG` may add `target=level` directives, which name Dynamo's crates. */
const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

/**
 * `DYN_LOG` (`debug`, `info,dynamo_llm=debug`, ...) or the `logLevel` option: whether the
 * per-handler and per-metric lines are logged (`debug` and `trace`) or not.
 */
export function parseLogLevel(source: string, value: unknown): 'info' | 'debug' {
  if (typeof value === 'string') {
    const levels = value
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter((d) => d !== '' && !d.includes('='));
    if (levels.length > 0 && levels.every((l) => LOG_LEVELS.includes(l))) {
      const level = levels[levels.length - 1]!;
      return level === 'debug' || level === 'trace' ? 'debug' : 'info';
    }
    if (levels.length === 0 && value.includes('=')) return 'info';
  }
  return fail(CONFIG_MESSAGES.invalidLogLevel(source, value, LOG_LEVELS));
}

/** A non-empty list of strictly increasing finite numbers. */
export const isBucketList = (value: unknown): value is number[] =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((v, i) => Number.isFinite(v) && (i === 0 || (v as number) > value[i - 1]));

/** Histogram bounds given as a list (`[0.1, 1, 10]`). */
export function parseBucketList(source: string, value: unknown): readonly number[] {
  return isBucketList(value)
    ? Object.freeze([...value])
    : fail(CONFIG_MESSAGES.invalidBucketList(source, value));
}

/** A deadline in ms (> 0, finite), or undefined for none. */
export function parseTimeout(source: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  return fail(CONFIG_MESSAGES.invalidTimeout(source, value));
}
