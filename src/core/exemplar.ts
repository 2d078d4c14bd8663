import { DynamoMetricsError } from './dynamo-metrics.error';
import { MESSAGES } from './core.messages';
import { isValidLabelName } from './naming';
import { escapeLabelValue } from './render/text-format';

/** Labels of an exemplar, e.g. `{ trace_id: '4bf9…', span_id: '00f0…' }`. */
export type ExemplarLabels = Readonly<Record<string, string>>;

/** OpenMetrics: label names and values of one exemplar, together, at most 128 characters. */
export const MAX_EXEMPLAR_LABEL_CHARS = 128;

/**
 * Exemplar labels checked and rendered once (`{trace_id="…",span_id="…"}`), so that every
 * observation of one call reuses the same text.
 */
export class ExemplarText {
  constructor(readonly text: string) {}
}

/** The last exemplar of one bucket: its rendered labels, the observed value and when. */
export interface BucketExemplar {
  exemplar: ExemplarText;
  value: number;
  /**
   * `performance.now()` of the observation: callers that time something have read it already,
   * so keeping an exemplar costs no clock read. Turned into Unix time at scrape.
   */
  at: number;
}

/**
 * Keeps `exemplar` as the most recent one of `bucket` (client_golang's rule) in a histogram
 * series' slots (one per bucket, +Inf last, allocated at the first exemplar: histograms that
 * never get one pay nothing). A kept slot is reused in place, so a busy histogram allocates
 * nothing per exemplar. Returns the slots.
 */
export function keepExemplar(
  slots: Array<BucketExemplar | undefined> | undefined,
  bucket: number,
  value: number,
  exemplar: ExemplarText,
  at: number,
  buckets: number,
): Array<BucketExemplar | undefined> {
  slots ??= new Array<BucketExemplar | undefined>(buckets).fill(undefined);
  const kept = slots[bucket];
  if (kept) {
    kept.exemplar = exemplar;
    kept.value = value;
    kept.at = at;
  } else {
    slots[bucket] = { exemplar, value, at };
  }
  return slots;
}

/**
 * The Unix time in seconds (millisecond precision) of `at`, a `performance.now()` reading;
 * `wallOffset` is `Date.now() - performance.now()` read at scrape, so that the monotonic clock's
 * drift from the wall clock over a long uptime never shows.
 */
export function exemplarTimestamp(at: number, wallOffset: number): number {
  return Math.round(at + wallOffset) / 1000;
}

const HEX = /^[0-9a-f]+$/;

/**
 * The exemplar of a W3C / OpenTelemetry trace: `trace_id` (32 hex digits) and `span_id`
 * (16), the names Grafana and Prometheus look for. Undefined for ids of another form.
 */
export function traceExemplar(traceId: string, spanId?: string): ExemplarText | undefined {
  if (traceId.length !== 32 || !HEX.test(traceId)) return undefined;
  if (spanId !== undefined && (spanId.length !== 16 || !HEX.test(spanId))) spanId = undefined;
  return new ExemplarText(
    spanId ? `{trace_id="${traceId}",span_id="${spanId}"}` : `{trace_id="${traceId}"}`,
  );
}

/** Checks user-given exemplar labels (or passes a rendered exemplar through). */
export function toExemplar(metric: string, labels: unknown): ExemplarText {
  if (labels instanceof ExemplarText) return labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new DynamoMetricsError(MESSAGES.invalidExemplar(metric, labels));
  }
  let chars = 0;
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels as Record<string, unknown>)) {
    if (!isValidLabelName(name) || typeof value !== 'string') {
      throw new DynamoMetricsError(MESSAGES.invalidExemplar(metric, labels));
    }
    chars += name.length + [...value].length;
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  if (parts.length === 0) throw new DynamoMetricsError(MESSAGES.invalidExemplar(metric, labels));
  if (chars > MAX_EXEMPLAR_LABEL_CHARS) {
    throw new DynamoMetricsError(MESSAGES.exemplarTooLong(metric, chars));
  }
  return new ExemplarText(`{${parts.join(',')}}`);
}
