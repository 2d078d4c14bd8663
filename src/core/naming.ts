import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NOT_NAME_CHAR = /[^a-zA-Z0-9_]/g;

export function isValidMetricName(name: unknown): name is string {
  return typeof name === 'string' && METRIC_NAME.test(name);
}

export function isValidLabelName(name: unknown): name is string {
  return typeof name === 'string' && LABEL_NAME.test(name) && !name.startsWith('__');
}

/** Checks a prefix ('' means none) and returns it. */
export function validatePrefix(prefix: unknown): string {
  if (prefix === '') return '';
  if (!isValidMetricName(prefix)) throw new DynamoMetricsError(MESSAGES.invalidPrefix(prefix));
  return prefix;
}

/** `<prefix>_<name>`, or `name` alone when the prefix is empty; both parts are validated. */
export function buildMetricName(prefix: string, name: unknown): string {
  if (!isValidMetricName(name)) throw new DynamoMetricsError(MESSAGES.invalidMetricName(name));
  return prefix === '' ? name : `${prefix}_${name}`;
}

/**
 * The one sanitising rule for namespace, component and endpoint names: every character outside
 * [a-zA-Z0-9_] becomes "_", and a leading digit gets a "_" in front, so `my-service` ->
 * `my_service`, `llm.backend` -> `llm_backend`, `2fast` -> `_2fast`. The result is a valid
 * Prometheus name, which keeps these values usable in metric names and recording rules too.
 */
export function sanitizeHierarchyName(level: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new DynamoMetricsError(MESSAGES.invalidHierarchyName(level, name));
  }
  const cleaned = name.replace(NOT_NAME_CHAR, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/**
 * Validates user label names (constant and variable) against each other, the reserved
 * hierarchy labels of the active profile and the labels the runtime sets on every metric.
 */
export function validateUserLabelNames(
  metric: string,
  names: readonly string[],
  histogram: boolean,
  reserved: readonly string[],
  processLabels: readonly string[] = [],
): void {
  const seen = new Set<string>();
  for (const label of names) {
    if (!isValidLabelName(label)) {
      throw new DynamoMetricsError(MESSAGES.invalidLabelName(metric, label));
    }
    if (reserved.includes(label)) {
      throw new DynamoMetricsError(MESSAGES.reservedLabel(metric, label, reserved));
    }
    if (processLabels.includes(label)) {
      throw new DynamoMetricsError(MESSAGES.processLabel(metric, label));
    }
    if (histogram && label === 'le') throw new DynamoMetricsError(MESSAGES.leLabel(metric));
    if (seen.has(label)) throw new DynamoMetricsError(MESSAGES.duplicateLabel(metric, label));
    seen.add(label);
  }
}

/** Checks the labels a runtime adds to every hierarchy metric; returns them as strings. */
export function validateProcessLabels(
  labels: unknown,
  reserved: readonly string[],
): Readonly<Record<string, string>> {
  if (labels === undefined) return Object.freeze({});
  const bad = () => new DynamoMetricsError(MESSAGES.invalidProcessLabels(labels));
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw bad();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!isValidLabelName(name) || name === 'le' || reserved.includes(name)) throw bad();
    if (typeof value !== 'string' && typeof value !== 'number') throw bad();
    out[name] = String(value);
  }
  return Object.freeze(out);
}
