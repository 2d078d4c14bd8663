/**
 * Every user-facing error text of the core, kept together so that wording stays consistent and
 * each message names what was wrong and what is accepted.
 */

const list = (items: readonly string[]): string => `[${items.join(', ')}]`;
const HIERARCHY = ['namespace', 'component', 'endpoint'];

/** A value as given, with its type when that is not a number (`"5" (string)`). */
const describeValue = (value: unknown): string => {
  if (typeof value === 'number') return String(value);
  let shown: string | undefined;
  try {
    shown = JSON.stringify(value);
  } catch {
    // bigint, cyclic objects
  }
  return `${shown ?? String(value)} (${typeof value})`;
};

export const MESSAGES = {
  invalidExemplar: (metric: string, labels: unknown) =>
    `Metric "${metric}": an exemplar is a plain object of string labels such as { trace_id: "4bf92f35…" }, got ${JSON.stringify(labels)}.`,
  exemplarTooLong: (metric: string, chars: number) =>
    `Metric "${metric}": exemplar labels have ${chars} characters; OpenMetrics allows at most 128 for names and values together.`,
  invalidMetricName: (name: unknown) =>
    `Invalid metric name ${JSON.stringify(name)}: a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]* (letters, digits, '_' and ':', not starting with a digit).`,
  invalidPrefix: (prefix: unknown) =>
    `Invalid metric prefix ${JSON.stringify(prefix)}: use '' (no prefix) or a name matching [a-zA-Z_:][a-zA-Z0-9_:]*.`,
  invalidLabelName: (metric: string, label: unknown) =>
    `Metric "${metric}": invalid label name ${JSON.stringify(label)}; a label name must match [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__".`,
  reservedLabel: (metric: string, label: string, reserved: readonly string[] = HIERARCHY) =>
    `Metric "${metric}": label "${label}" is reserved; ${reserved
      .map((r) => `"${r}"`)
      .join(', ')
      .replace(
        /, ([^,]*)$/,
        ' and $1',
      )} are added automatically by the level the metric is created at.`,
  processLabel: (metric: string, label: string) =>
    `Metric "${metric}": label "${label}" is already set on every metric by the runtime's \`labels\` option (the module's \`labels\`); use another name, or drop it from one of the two.`,
  invalidProcessLabels: (labels: unknown) =>
    `Invalid runtime labels ${JSON.stringify(labels)}: give a plain object of label names (matching [a-zA-Z_][a-zA-Z0-9_]*, not "le", not the hierarchy labels) to string values, such as { model: "llama-3-8b" }.`,
  invalidNaming: (name: unknown, accepted: readonly string[]) =>
    `Invalid naming profile ${JSON.stringify(name)}: use one of ${list(accepted)}.`,
  duplicateLabel: (metric: string, label: string) =>
    `Metric "${metric}": label "${label}" is given more than once; each label name may appear once across constant and variable labels.`,
  leLabel: (metric: string) =>
    `Metric "${metric}": a histogram cannot use the label "le"; Prometheus reserves it for bucket bounds.`,
  emptyHelp: (metric: string) =>
    `Metric "${metric}": help text is empty; give a short description of what the metric measures.`,
  invalidConstLabelValue: (metric: string, label: string, value: unknown) =>
    `Metric "${metric}": constant label "${label}" has value ${String(value)} of type ${typeof value}; label values must be strings (or numbers).`,
  invalidConstLabels: (metric: string, value: unknown) =>
    `Metric "${metric}": constant labels must be a plain object such as { region: "eu" }, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
  invalidLabelNames: (metric: string, value: unknown) =>
    `Metric "${metric}": variable label names must be a non-empty array of strings such as ["model"], got ${JSON.stringify(value)}.`,
  unexpectedArgument: (metric: string, factory: string, what: string, use: string) =>
    `Metric "${metric}": ${factory}() does not take ${what}; ${use}.`,
  invalidBuckets: (metric: string, buckets: unknown) =>
    `Metric "${metric}": buckets must be a non-empty array of finite numbers in strictly increasing order (+Inf is added automatically), got ${JSON.stringify(buckets)}.`,
  conflictingDefinition: (metric: string, existing: string, requested: string) =>
    `Metric "${metric}" is already defined as ${existing}; cannot define it again as ${requested}. Use another name, or the same type, help, label names and buckets to get the existing metric.`,
  invalidHierarchyName: (level: string, name: unknown) =>
    `Invalid ${level} name ${JSON.stringify(name)}: give a non-empty string (characters outside [a-zA-Z0-9_] are replaced by "_").`,
  wrongLabelCount: (metric: string, names: readonly string[], got: number) =>
    `Metric "${metric}": labels() expects ${names.length} value(s) for ${list(names)}, got ${got}.`,
  missingLabel: (metric: string, label: string, names: readonly string[]) =>
    `Metric "${metric}": missing value for label "${label}"; this metric's variable labels are ${list(names)}.`,
  unknownLabel: (metric: string, label: string, names: readonly string[]) =>
    `Metric "${metric}": unknown label "${label}"; this metric's variable labels are ${list(names)}.`,
  invalidLabelValue: (metric: string, label: string, value: unknown) =>
    `Metric "${metric}": label "${label}" has value ${String(value)} of type ${typeof value}; label values must be strings or numbers.`,
  negativeIncrement: (metric: string, value: unknown) =>
    `Metric "${metric}": a counter only goes up; inc() takes a finite number >= 0, got ${describeValue(value)}.`,
  counterOverflow: (metric: string, value: number, amount: number) =>
    `Metric "${metric}": inc(${amount}) would take the counter from ${value} to +Infinity; a counter must stay finite.`,
  invalidBudget: (option: string, value: unknown) =>
    `Invalid series budget option ${option}=${describeValue(value)}: give a whole number >= 1` +
    (option === 'maxSeriesPerMetric'
      ? ', per full metric name, e.g. { "dynamo_tokens_total": 5000 }.'
      : '.'),
  nameClash: (metric: string, type: string, other: string, otherType: string, where: string) =>
    `Metric "${metric}" (${type}) clashes with ${where} "${other}" (${otherType}): Prometheus and OpenMetrics ` +
    'read their samples as the same name (a histogram x writes x_bucket, x_sum and x_count; a counter ' +
    'x or x_total is the family x with samples x_total). Rename one of them.',
  notANumber: (metric: string, method: string, value: unknown) =>
    `Metric "${metric}": ${method}() takes a finite number, got ${String(value)}.`,
  notAnInteger: (metric: string, method: string, value: unknown) =>
    `Metric "${metric}": ${method}() of an integer metric takes a whole number, got ${String(value)}.`,
  unsupportedContentType: (value: unknown) =>
    `Unsupported exposition content type ${JSON.stringify(value)}; use "text/plain; version=0.0.4" or "application/openmetrics-text; version=1.0.0".`,
  invalidAggregator: (metric: string, aggregator: unknown, accepted: readonly string[]) =>
    `Invalid aggregator ${JSON.stringify(aggregator)} for metric "${metric}": use one of ${list(accepted)}.`,
  aggregatorOfUnknownMetric: (metric: string) =>
    `Cannot set the aggregator of "${metric}": no metric of that name exists in this runtime yet (create it first).`,
  undefinedAggregator: (metric: string, aggregator: string) =>
    `Metric "${metric}": '${aggregator}' is not a defined aggregator.`,
  readOnlyPromRegistry: (what: string) =>
    `runtime.promRegistry() is a read-only view of the runtime's metrics; ${what} is not supported. ` +
    'Create metrics through the runtime levels, or keep other metrics in a registry of their own.',
  noSuchMetric: (metric: string) => `No metric named "${metric}" in this runtime.`,
  collectorNotInPrimary: () =>
    'ClusterMetricsCollector (and startClusterMetricsServer) must run in the cluster primary; ' +
    'in workers call enableClusterWorker(runtime) or set the module option cluster: { worker: true }.',
  invalidTimeout: (timeoutMs: unknown) =>
    `Invalid timeoutMs ${String(timeoutMs)}: give a positive number of milliseconds.`,
  collectorClosed: () => 'The cluster metrics collector is closed.',
  collectorClosedDuringCollection: () => 'The cluster metrics collector was closed.',
  workerCollectFailed: (workerId: number, pid: number | undefined, reason: string) =>
    `worker ${workerId} (pid ${pid}) failed to collect its metrics: ${reason}`,
  workersDidNotAnswer: (missing: string, timeoutMs: number) =>
    `cluster metrics: worker(s) ${missing} did not answer within ${timeoutMs} ms`,
} as const;
