import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DistributedRuntime, PROMETHEUS_CONTENT_TYPE } from '../../core';
import { DYNAMO_METRICS_CONFIG } from '../../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../../config/dynamo-metrics-options.interface';
import { pageStems, STATUS_PAGE_ASSETS_DIR } from './status-page.assets';

/** One reading every 2 s over 5 minutes, as the page polls and charts. */
export const HISTORY_INTERVAL_MS = 2000;
export const HISTORY_SPAN_MS = 5 * 60 * 1000;
/** Rates and percentiles compare with the reading about this long before (the page's window). */
const WINDOW_MS = 5000;
/** Rows kept per reading: the charts show a few lines each, and memory stays bounded. */
export const HISTORY_MAX_ROWS = 50;
/** An exposition larger than this is not read for the history (reading it would cost more). */
const MAX_TEXT_BYTES = 8 << 20;

interface Scrape {
  t: number;
  scrape: unknown;
}
/** The page's own modules (assets/*.mjs), which run in Node as they do in the browser. */
interface PageModules {
  parseExposition(text: string): unknown;
  findFamilies(scrape: unknown, hints: Record<string, string>): unknown;
  derive(now: Scrape, past: Scrape | undefined, families: unknown): HistoryView;
}
interface HistoryView {
  workers: Array<Record<string, unknown>>;
  models: Array<Record<string, unknown>>;
}

export interface HistoryPoint extends HistoryView {
  t: number;
}

const WORKER_FIELDS = ['component', 'endpoint', 'rate', 'p50', 'p99', 'errorRate', 'inflight'];
const MODEL_FIELDS = ['model', 'successRate', 'errorRate', 'inflight', 'ttft', 'itl', 'tokenRate'];
const pick = (row: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(fields.map((f) => [f, row[f]]));

/**
 * The status page's memory (DYN_SYSTEM_STATUS_PAGE): while the system server runs, it reads the
 * exposition every 2 s, derives what the page charts with the page's own code, and keeps the last
 * 5 minutes (150 readings of at most 50 workers and 50 models), so a page opened after a burst
 * shows it at once. A reading is not a scrape: it is not counted in `system_scrapes_total`.
 */
@Injectable()
export class StatusHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly points: HistoryPoint[] = [];
  private readonly recent: Scrape[] = [];
  private timer?: NodeJS.Timeout;
  private modules?: Promise<PageModules>;
  /** The reading in progress, if any: one at a time. */
  private reading?: Promise<void>;

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, port, statusPage } = this.config.system;
    if (!enabled || port === undefined || !statusPage) return;
    this.timer = setInterval(() => void this.read(), HISTORY_INTERVAL_MS);
    this.timer.unref();
    void this.read();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Stops taking readings; resolves once the one in progress (if any) is done. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
  }

  /** What `/status/history` answers: the readings, oldest first, and their size. */
  snapshot(): { intervalMs: number; spanMs: number; bytes: number; points: HistoryPoint[] } {
    const points = this.points;
    // JSON size, as sent: the memory the history holds is of the same order.
    const bytes = Buffer.byteLength(JSON.stringify(points));
    return { intervalMs: HISTORY_INTERVAL_MS, spanMs: HISTORY_SPAN_MS, bytes, points };
  }

  /** One reading (or the one in progress); a failed or skipped one leaves a gap, as on the page. */
  read(now = Date.now()): Promise<void> {
    if (this.reading) return this.reading;
    this.reading = this.take(now).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async take(now: number): Promise<void> {
    try {
      const page = await (this.modules ??= loadPageModules());
      // A render of its own: a scrape arriving meanwhile must not get this (older) one.
      const { parts, release } = await this.runtime.leaseExposition(PROMETHEUS_CONTENT_TYPE, {
        join: false,
      });
      let text: string;
      try {
        if (parts.reduce((n, p) => n + p.length, 0) > MAX_TEXT_BYTES) return;
        text = Buffer.concat(parts).toString('utf8');
      } finally {
        release();
      }
      const current = { t: now, scrape: page.parseExposition(text) };
      this.recent.push(current);
      while (this.recent.length > 1 && this.recent[1]!.t <= now - WINDOW_MS) this.recent.shift();
      const past = this.recent.length > 1 ? this.recent[0] : undefined;
      const families = page.findFamilies(current.scrape, pageStems(this.config));
      const view = page.derive(current, past, families);
      this.points.push({
        t: now,
        workers: view.workers.slice(0, HISTORY_MAX_ROWS).map((w) => pick(w, WORKER_FIELDS)),
        models: view.models.slice(0, HISTORY_MAX_ROWS).map((m) => pick(m, MODEL_FIELDS)),
      });
      while (this.points.length > 0 && this.points[0]!.t <= now - HISTORY_SPAN_MS) {
        this.points.shift();
      }
    } catch {
      // The page shows the same gap; the next reading tries again.
    }
  }
}

async function loadPageModules(): Promise<PageModules> {
  const url = (name: string) => pathToFileURL(join(STATUS_PAGE_ASSETS_DIR, name)).href;
  const [parser, families] = await Promise.all([
    import(url('exposition-parser.mjs')) as Promise<Pick<PageModules, 'parseExposition'>>,
    import(url('metric-families.mjs')) as Promise<Pick<PageModules, 'findFamilies' | 'derive'>>,
  ]);
  return { ...parser, ...families };
}
