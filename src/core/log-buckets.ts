/**
 * Dynamo's frontend histogram buckets (`generate_log_buckets` in lib/llm/src/http/service/
 * metrics.rs): `0`, then `count - 1` log-spaced values from `min` to `max`, each rounded to two
 * significant figures, consecutive duplicates removed. Computed with the same floating-point
 * steps, so a bucket bound is the same double, and prints the same, as in Dynamo's exposition
 * (a mixed fleet sums `le` by string).
 */
export interface LogBucketSpec {
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Dynamo refuses more buckets than this (`MAX_BUCKET_COUNT`). */
export const MAX_LOG_BUCKET_COUNT = 512;

/** Whether Dynamo would accept the spec: finite, 0 < min < max, 1 <= count <= 512. */
export function isValidLogBucketSpec({ min, max, count }: LogBucketSpec): boolean {
  return (
    Number.isFinite(min) &&
    Number.isFinite(max) &&
    min > 0 &&
    min < max &&
    Number.isInteger(count) &&
    count > 0 &&
    count <= MAX_LOG_BUCKET_COUNT
  );
}

export function generateLogBuckets({ min, max, count }: LogBucketSpec): number[] {
  if (count === 0) return [];
  const buckets = [0];
  const logMin = Math.log(min);
  const logMax = Math.log(max);
  for (let i = 1; i < count; i++) {
    const value = roundToSignificantFigures(
      Math.exp(logMin + ((logMax - logMin) * i) / (count - 1)),
      2,
    );
    if (value !== buckets[buckets.length - 1]) buckets.push(value);
  }
  return buckets;
}

/** Rust's `(value * scale).round() / scale` with `scale = 10^(figures - 1 - floor(log10 |v|))`. */
export function roundToSignificantFigures(value: number, figures: number): number {
  if (value === 0) return 0;
  const scale = powerOfTen(figures - 1 - Math.floor(Math.log10(Math.abs(value))));
  const scaled = value * scale;
  // Rust rounds half away from zero; Math.round rounds half up.
  const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
  return rounded / scale;
}

/**
 * 10^n correctly rounded, as Rust's `powf` gives it (glibc's pow is correctly rounded); V8's
 * Math.pow is not always (`Math.pow(10, -4)` is 0.00009999999999999999), which would turn
 * Dynamo's `130000` bucket into `130000.00000000001`. Parsing a literal rounds correctly.
 */
function powerOfTen(n: number): number {
  return Number(`1e${n}`);
}
