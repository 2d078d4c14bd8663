import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import {
  CounterSeries,
  DistributedRuntime,
  HistogramSeries,
  Namespace,
  negotiateContentType,
} from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import type { ExpositionParts } from './exposition-response';

export interface Exposition {
  contentType: string;
  body: string;
}

/** Buckets for scrape duration: scrapes take milliseconds, and a slow one is what matters. */
const SCRAPE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Renders `/metrics` for the controller and the system server alike: picks the format from the
 * scraper's Accept header, refreshes the uptime gauge and reports on scraping itself.
 */
@Injectable()
export class MetricsExporter {
  private readonly scrapes: CounterSeries;
  private readonly scrapeDuration: HistogramSeries;

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(Namespace) namespace: Namespace,
    @Inject(DYNAMO_METRICS_CONFIG) config: DynamoMetricsConfig,
  ) {
    // prom-client's process metrics live in its global registry; registered once per process.
    if (config.defaultMetrics && !register.getSingleMetric('process_cpu_user_seconds_total')) {
      collectDefaultMetrics();
    }
    const uptime = namespace.createGauge(
      namespace.naming.uptime,
      'Time since the runtime started, in seconds',
    );
    runtime.onCollect(uptime.metricName, () => uptime.set(runtime.uptimeSeconds()));
    // Merged across cluster workers, uptimes must not add up.
    runtime.setAggregator(uptime.metricName, 'max');
    this.scrapes = namespace.createIntCounter(
      'system_scrapes_total',
      'Total number of /metrics scrapes served',
    );
    this.scrapeDuration = namespace.createHistogram(
      'system_scrape_duration_seconds',
      'Time to render the /metrics exposition, in seconds',
      {},
      SCRAPE_BUCKETS,
    );
  }

  /** The exposition in the format the Accept header asks for, as one string. */
  async render(accept?: string | string[]): Promise<Exposition> {
    const { contentType, parts, release } = await this.renderParts(accept);
    try {
      return { contentType, body: Buffer.concat(parts).toString('utf8') };
    } finally {
      release();
    }
  }

  /**
   * The same as UTF-8 parts to write in order, then release (what `/metrics` sends): rendered
   * in slices that yield to the event loop, and never joined into one large string.
   */
  async renderParts(accept?: string | string[]): Promise<ExpositionParts> {
    const started = performance.now();
    const contentType = negotiateContentType(accept);
    const { parts, release } = await this.runtime.leaseExposition(contentType);
    this.scrapes.inc();
    this.scrapeDuration.observe((performance.now() - started) / 1000);
    return { contentType, parts, release };
  }
}
