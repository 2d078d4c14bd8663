/** What the frontend records into: a counter, gauge or histogram series. */
export interface SeriesLike {
  inc(n?: number): void;
  dec(n?: number): void;
  set(value: number): void;
  observe(value: number): void;
  observeAt(value: number, exemplar: unknown, at: number | undefined): void;
}

/**
 * Stands in for a family the naming profile does not have (`classic` has no `queued_requests`,
 * no stage metrics...), so recording code never asks which profile it runs under.
 */
export const NOOP_SERIES: SeriesLike = Object.freeze({
  inc() {},
  dec() {},
  set() {},
  observe() {},
  observeAt() {},
});
