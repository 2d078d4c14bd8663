import {
  FRONTEND_BUCKET_SETS,
  FrontendBucketSet,
  FrontendNaming,
  generateLogBuckets,
  isValidLogBucketSpec,
  LogBucketSpec,
  MAX_LOG_BUCKET_COUNT,
} from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import type { FrontendBucketOption } from './dynamo-metrics-options.interface';
import { fail, isBucketList } from './option-parsers';

type Env = Record<string, string | undefined>;
type Field = 'MIN' | 'MAX' | 'COUNT';
const FIELD_KEYS = { MIN: 'min', MAX: 'max', COUNT: 'count' } as const;

/** Dynamo's deprecated doubled form, still read when the new name is unset. */
export const DEPRECATED_BUCKET_PREFIX = 'DYN_HISTOGRAM_';
export const bucketVariable = (set: string, field: Field) => `DYN_METRICS_${set}_${field}`;

/**
 * The frontend's bucket bounds: `frontend.buckets` (a list, or Dynamo's `{ min, max, count }`),
 * then, for the sets the profile reads from the environment (`component`),
 * DYN_METRICS_<X>_{MIN,MAX,COUNT} field by field, which win. Values Dynamo would refuse stop
 * start-up with an error naming the variable (Dynamo itself warns and keeps its defaults).
 */
export function resolveFrontendBuckets(
  profile: FrontendNaming,
  options: Partial<Record<FrontendBucketSet, FrontendBucketOption>> | undefined,
  env: Env,
): Record<FrontendBucketSet, readonly number[]> {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    fail(CONFIG_MESSAGES.invalidBucketOptions('option frontend.buckets', options));
  }
  const out = {} as Record<FrontendBucketSet, readonly number[]>;
  for (const set of FRONTEND_BUCKET_SETS) {
    const option = options?.[set];
    const base = option === undefined ? undefined : parseOption(set, option);
    const variables = profile.bucketVariables[set];
    const fromEnv =
      variables && readSpec(env, variables.variable, specOf(base, variables.defaults));
    out[set] = fromEnv
      ? Object.freeze(generateLogBuckets(fromEnv))
      : Array.isArray(base)
        ? base
        : base
          ? Object.freeze(generateLogBuckets(base as LogBucketSpec))
          : profile.buckets[set];
  }
  for (const key of Object.keys(options ?? {})) {
    if (!(FRONTEND_BUCKET_SETS as readonly string[]).includes(key)) {
      fail(
        CONFIG_MESSAGES.unknownBucketSet(`option frontend.buckets.${key}`, FRONTEND_BUCKET_SETS),
      );
    }
  }
  return out;
}

const specOf = (
  base: readonly number[] | LogBucketSpec | undefined,
  defaults: LogBucketSpec,
): LogBucketSpec =>
  base === undefined || Array.isArray(base) ? defaults : (base as LogBucketSpec);

function parseOption(set: string, value: unknown): readonly number[] | LogBucketSpec {
  const source = `option frontend.buckets.${set}`;
  if (Array.isArray(value)) {
    return isBucketList(value)
      ? Object.freeze([...value])
      : fail(CONFIG_MESSAGES.invalidBucketOption(source, value));
  }
  const spec = value as Partial<LogBucketSpec> | null;
  if (spec !== null && typeof spec === 'object' && isValidLogBucketSpec(spec as LogBucketSpec)) {
    return Object.freeze({ min: spec.min!, max: spec.max!, count: spec.count! });
  }
  return fail(CONFIG_MESSAGES.invalidBucketOption(source, value));
}

/** The spec from the environment, or undefined when none of the set's variables is set. */
function readSpec(env: Env, set: string, base: LogBucketSpec): LogBucketSpec | undefined {
  const found: Partial<Record<Field, { name: string; value: string }>> = {};
  for (const field of ['MIN', 'MAX', 'COUNT'] as const) {
    const name = bucketVariable(set, field);
    for (const candidate of [name, DEPRECATED_BUCKET_PREFIX + name]) {
      const value = env[candidate]?.trim();
      if (value) {
        found[field] = { name: candidate, value };
        break;
      }
    }
  }
  if (Object.keys(found).length === 0) return undefined;
  const spec = { ...base };
  for (const [field, { name, value }] of Object.entries(found) as Array<
    [Field, { name: string; value: string }]
  >) {
    spec[FIELD_KEYS[field]] = field === 'COUNT' ? parseCount(name, value) : parseBound(name, value);
  }
  const source = (field: Field) => found[field]?.name ?? `the default ${FIELD_KEYS[field]}`;
  if (spec.min >= spec.max) {
    fail(CONFIG_MESSAGES.bucketMinNotBelowMax(source('MIN'), spec.min, source('MAX'), spec.max));
  }
  return spec;
}

function parseBound(name: string, value: string): number {
  const n = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fail(CONFIG_MESSAGES.invalidBucketBound(name, value));
}

function parseCount(name: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  return n >= 1 && n <= MAX_LOG_BUCKET_COUNT
    ? n
    : fail(CONFIG_MESSAGES.invalidBucketCount(name, value, MAX_LOG_BUCKET_COUNT));
}
