// What PromQL's rate() and histogram_quantile() do, over two scrapes taken by the page:
// counters are summed per group key, a counter that went down restarted from zero.

/**
 * Sums the samples named `name` whose labels `keyOf` accepts (returns a key, or undefined to
 * skip), per key.
 * @returns {Map<string, number>}
 */
export function sumBy(scrape, name, keyOf) {
  const sums = new Map();
  for (const { labels, value } of scrape?.samples.get(name) ?? []) {
    const key = keyOf(labels);
    if (key !== undefined) sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return sums;
}

/** Increase of a counter between two readings; a reset (lower value) counts from zero. */
export const increase = (now, then) => (then === undefined ? NaN : now >= then ? now - then : now);

/**
 * Per-second increase of every key of `name` between `past` and `now` ({ t, scrape } with t in
 * ms). NaN where there is no earlier reading.
 * @returns {Map<string, number>}
 */
export function ratesBy(now, past, name, keyOf) {
  const current = sumBy(now.scrape, name, keyOf);
  const earlier = past ? sumBy(past.scrape, name, keyOf) : new Map();
  const seconds = past ? (now.t - past.t) / 1000 : 0;
  const rates = new Map();
  for (const [key, value] of current) {
    rates.set(key, seconds > 0 ? increase(value, earlier.get(key) ?? 0) / seconds : NaN);
  }
  return rates;
}

/**
 * Cumulative bucket counts of histogram `name` per key, as sorted [upperBound, count] pairs.
 * @returns {Map<string, Array<[number, number]>>}
 */
export function bucketsBy(scrape, name, keyOf) {
  const byKey = new Map();
  for (const { labels, value } of scrape?.samples.get(`${name}_bucket`) ?? []) {
    const key = keyOf(labels);
    if (key === undefined || labels.le === undefined) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    let counts = byKey.get(key);
    if (!counts) byKey.set(key, (counts = new Map()));
    counts.set(le, (counts.get(le) ?? 0) + value);
  }
  const sorted = new Map();
  for (const [key, counts] of byKey)
    sorted.set(
      key,
      [...counts].sort((a, b) => a[0] - b[0]),
    );
  return sorted;
}

/**
 * The q-quantiles of histogram `name` per key, over the observations made between `past` and
 * `now`: histogram_quantile(q, increase(name_bucket[window])). NaN without observations.
 * @returns {Map<string, number[]>} one value per entry of `qs`
 */
export function quantilesBy(now, past, name, keyOf, qs) {
  const current = bucketsBy(now.scrape, name, keyOf);
  const earlier = past ? bucketsBy(past.scrape, name, keyOf) : new Map();
  const result = new Map();
  for (const [key, buckets] of current) {
    const before = new Map(earlier.get(key) ?? []);
    const window = past
      ? buckets.map(([le, count]) => [le, increase(count, before.get(le) ?? 0)])
      : [];
    result.set(
      key,
      qs.map((q) => quantile(q, window)),
    );
  }
  return result;
}

/** histogram_quantile() on cumulative [upperBound, count] pairs, the last being +Inf. */
export function quantile(q, buckets) {
  if (buckets.length < 2 || buckets[buckets.length - 1][0] !== Infinity) return NaN;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  const i = buckets.findIndex(([, count]) => count >= rank);
  // In the +Inf bucket: the highest finite bound is the best answer, as in Prometheus.
  if (i === buckets.length - 1) return buckets[i - 1][0];
  const [upper, count] = buckets[i];
  if (i === 0 && upper <= 0) return upper;
  const [lower, below] = i === 0 ? [0, 0] : buckets[i - 1];
  return lower + (upper - lower) * ((rank - below) / (count - below));
}
