import type { ExemplarText, FrontendErrorType } from '../core';
import type { RequestStatus, RequestType } from './frontend-metrics.constants';
import type { SeriesLike } from './noop-series';

/**
 * The series of one model, resolved once per model rather than per request; those the naming
 * profile does not have are no-ops.
 */
export interface ModelSeries {
  inflight: SeriesLike;
  active: SeriesLike;
  queued: SeriesLike;
  duration: SeriesLike;
  inputTokens: SeriesLike;
  outputTokens: SeriesLike;
  timeToFirstToken: SeriesLike;
  interTokenLatency: SeriesLike;
  cachedTokens: SeriesLike;
  outputTokensTotal: SeriesLike;
}

/**
 * Counts one finished request in `requests_total` (with its error type where the profile has
 * one); `refused`: a 4xx before any response, which only the `component` profile counts.
 */
export type RequestOutcome = (
  status: RequestStatus,
  errorType?: FrontendErrorType,
  refused?: boolean,
) => void;

/** The OpenAI `usage` object of a completion, as `FrontendRequest.usage()` reads it. */
export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

/**
 * One LLM request in flight. Call `tokens(n)` for every chunk that carries tokens (or let the
 * decorator do it), `usage()` when the response reports token counts, then `end()` exactly once;
 * further `end()` calls are ignored, so error paths may call it freely.
 */
export class FrontendRequest {
  private readonly started = performance.now();
  private lastTokenAt?: number;
  private streamedTokens = 0;
  private usageSeen?: TokenUsage;
  private done = false;
  /** Counted in `queued_requests` until the first token (or the end). */
  private queued = true;

  /** @internal made by `FrontendMetrics.startRequest()` */
  constructor(
    private readonly series: ModelSeries,
    private readonly outcome: RequestOutcome,
    readonly model: string,
    readonly endpoint: string,
    readonly requestType: RequestType,
    /** The request's trace, kept on its latency observations (exemplars on). */
    private readonly exemplar?: ExemplarText,
  ) {
    series.inflight.inc();
    series.active.inc();
    series.queued.inc();
  }

  /** When the request started (`performance.now()`). */
  get startedAt(): number {
    return this.started;
  }

  /** A chunk carrying `count` tokens arrived: TTFT on the first, ITL (per token) after that. */
  tokens(count: number): void {
    if (this.done || !(count > 0)) return;
    const now = performance.now();
    if (this.lastTokenAt === undefined) {
      this.series.timeToFirstToken.observeAt((now - this.started) / 1000, this.exemplar, now);
      this.unqueue();
    } else {
      const perToken = (now - this.lastTokenAt) / 1000 / count;
      const itl = this.series.interTokenLatency;
      for (let i = 0; i < count; i++) itl.observeAt(perToken, this.exemplar, now);
    }
    this.lastTokenAt = now;
    this.streamedTokens += count;
    this.series.outputTokensTotal.inc(count);
  }

  /** Token counts reported by the response (`usage`); they win over counted chunks. */
  usage(usage: TokenUsage | undefined): void {
    if (usage && typeof usage === 'object') this.usageSeen = usage;
  }

  /** `errorType` (`component` profile): why it failed; `cancelled` when the client went away. */
  end(status: RequestStatus, errorType?: FrontendErrorType): void {
    if (this.done) return;
    this.done = true;
    const s = this.series;
    this.release();
    const now = performance.now();
    s.duration.observeAt((now - this.started) / 1000, this.exemplar, now);
    this.outcome(status, status === 'error' ? (errorType ?? 'internal') : undefined);
    const usage = this.usageSeen;
    const input = usage?.prompt_tokens;
    if (typeof input === 'number' && input >= 0) s.inputTokens.observe(input);
    const output =
      usage?.completion_tokens ?? (this.requestType === 'stream' ? this.streamedTokens : undefined);
    if (typeof output === 'number' && output >= 0) {
      s.outputTokens.observe(output);
      // Streamed tokens were counted as they came; the rest (a unary response's) now.
      if (output > this.streamedTokens) {
        s.outputTokensTotal.inc(output - this.streamedTokens);
      }
    }
    const cached = usage?.prompt_tokens_details?.cached_tokens;
    if (typeof cached === 'number' && cached >= 0) s.cachedTokens.observe(cached);
  }

  /**
   * The request was refused (a 4xx before any response): only the gauges return. Under the
   * `component` profile it is also counted in `requests_total` with its `errorType`.
   */
  discard(errorType: FrontendErrorType = 'validation'): void {
    if (this.done) return;
    this.done = true;
    this.release();
    this.outcome('error', errorType, true);
  }

  private unqueue(): void {
    if (this.queued) {
      this.queued = false;
      this.series.queued.dec();
    }
  }

  private release(): void {
    this.series.inflight.dec();
    this.series.active.dec();
    this.unqueue();
  }
}
