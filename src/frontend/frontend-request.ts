import type { CounterVec, ExemplarText, GaugeSeries, HistogramSeries } from '../core';
import type { RequestStatus, RequestType } from './frontend-metrics.constants';

/** The series of one model, resolved once per model rather than per request. */
export interface ModelSeries {
  inflight: GaugeSeries;
  duration: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  timeToFirstToken: HistogramSeries;
  interTokenLatency: HistogramSeries;
}

export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
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

  constructor(
    private readonly series: ModelSeries,
    private readonly requests: CounterVec,
    readonly model: string,
    readonly endpoint: string,
    readonly requestType: RequestType,
    /** The request's trace, kept on its latency observations (exemplars on). */
    private readonly exemplar?: ExemplarText,
  ) {
    series.inflight.inc();
  }

  /** A chunk carrying `count` tokens arrived: TTFT on the first, ITL (per token) after that. */
  tokens(count: number): void {
    if (this.done || !(count > 0)) return;
    const now = performance.now();
    if (this.lastTokenAt === undefined) {
      this.series.timeToFirstToken.observe((now - this.started) / 1000, this.exemplar);
    } else {
      const perToken = (now - this.lastTokenAt) / 1000 / count;
      const itl = this.series.interTokenLatency;
      for (let i = 0; i < count; i++) itl.observe(perToken, this.exemplar);
    }
    this.lastTokenAt = now;
    this.streamedTokens += count;
  }

  /** Token counts reported by the response (`usage`); they win over counted chunks. */
  usage(usage: TokenUsage | undefined): void {
    if (usage && typeof usage === 'object') this.usageSeen = usage;
  }

  end(status: RequestStatus): void {
    if (this.done) return;
    this.done = true;
    const s = this.series;
    s.inflight.dec();
    s.duration.observe((performance.now() - this.started) / 1000, this.exemplar);
    this.requests.labels(this.model, this.endpoint, this.requestType, status).inc();
    const input = this.usageSeen?.prompt_tokens;
    if (typeof input === 'number' && input >= 0) s.inputTokens.observe(input);
    const output =
      this.usageSeen?.completion_tokens ??
      (this.requestType === 'stream' ? this.streamedTokens : undefined);
    if (typeof output === 'number' && output >= 0) s.outputTokens.observe(output);
  }

  /** Ends without recording anything but the in-flight gauge: the request was refused (4xx). */
  discard(): void {
    if (this.done) return;
    this.done = true;
    this.series.inflight.dec();
  }
}
