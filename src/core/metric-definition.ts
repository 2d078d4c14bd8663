import { DEFAULT_BUCKETS } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { FamilyDefinition } from './family-definition';
import { wellFormed } from './label-value';
import { MetricRequest } from './metric-factories';
import { validateUserLabelNames } from './naming';

/** Where a metric is being created: the level's hierarchy labels and label rules. */
export interface DefinitionScope {
  readonly hierarchyLabels: Readonly<Record<string, string>>;
  /** Label names user labels may not take: the profile's hierarchy labels (or none). */
  readonly reserved: readonly string[];
  /** Labels the runtime adds to every metric of this level (after the hierarchy labels). */
  readonly processLabels: Readonly<Record<string, string>>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the variable label names a Vec factory was given (before anything else about them). */
export function assertLabelNames(metric: string, labelNames: unknown): void {
  if (
    !Array.isArray(labelNames) ||
    labelNames.length === 0 ||
    labelNames.some((n) => typeof n !== 'string')
  ) {
    throw new DynamoMetricsError(MESSAGES.invalidLabelNames(metric, labelNames));
  }
}

/**
 * Validates a creation request and turns it into a family definition. `name` is the full
 * (prefixed, validated) metric name; `fixed` holds the hierarchy and constant label values.
 */
export function defineMetric(
  scope: DefinitionScope,
  name: string,
  request: MetricRequest,
  variable: readonly string[],
): { definition: FamilyDefinition; fixed: Record<string, string> } {
  const { spec } = request;
  const histogram = spec.type === 'histogram';
  if (request.extra.length > 0) {
    const what = histogram ? 'arguments after the buckets' : 'buckets or further arguments';
    const use = histogram
      ? 'see the factory signature'
      : 'use createHistogram() or createHistogramVec() for bucketed metrics';
    throw new DynamoMetricsError(MESSAGES.unexpectedArgument(name, spec.factory, what, use));
  }
  if (typeof request.help !== 'string' || request.help.trim() === '') {
    throw new DynamoMetricsError(MESSAGES.emptyHelp(name));
  }
  const constLabels = request.constLabels ?? {};
  if (!isPlainObject(constLabels)) {
    if (Array.isArray(constLabels) && !request.labelNames) {
      const vecFactory = spec.factory.replace(/^create(\w+)$/, 'create$1Vec');
      throw new DynamoMetricsError(
        MESSAGES.unexpectedArgument(
          name,
          spec.factory,
          'variable label names',
          `use ${vecFactory}() for metrics with variable labels`,
        ),
      );
    }
    throw new DynamoMetricsError(MESSAGES.invalidConstLabels(name, constLabels));
  }
  const constNames = Object.keys(constLabels).sort();
  const processNames = Object.keys(scope.processLabels);
  validateUserLabelNames(
    name,
    [...constNames, ...variable],
    histogram,
    scope.reserved,
    processNames,
  );
  const fixed: Record<string, string> = { ...scope.hierarchyLabels, ...scope.processLabels };
  for (const label of constNames) {
    const value = constLabels[label];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new DynamoMetricsError(MESSAGES.invalidConstLabelValue(name, label, value));
    }
    fixed[label] = wellFormed(String(value));
  }
  let buckets: readonly number[] | undefined;
  if (histogram) {
    buckets =
      request.buckets === undefined ? DEFAULT_BUCKETS : validateBuckets(name, request.buckets);
  }
  const definition: FamilyDefinition = {
    name,
    type: spec.type,
    integer: spec.integer,
    help: request.help,
    labelNames: [
      ...Object.keys(scope.hierarchyLabels),
      ...processNames,
      ...constNames,
      ...variable,
    ],
    buckets,
  };
  return { definition, fixed };
}

export function validateBuckets(metric: string, buckets: unknown): readonly number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
  }
  const finite = buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : buckets;
  for (let i = 0; i < finite.length; i++) {
    const b = finite[i];
    if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= finite[i - 1])) {
      throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
    }
  }
  if (finite.length === 0) throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
  return Object.freeze([...finite]);
}
