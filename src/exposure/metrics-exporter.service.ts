import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import {
  CounterSeries,
  DistributedRuntime,
  Exposition,
  HistogramSeries,
  Namespace,
  negotiateContentType,
} from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';

export type { Exposition };

const SCRAPES_HELP = 'Total number of /metrics scrapes served';
const SCRAPE_DURATION_HELP = 'Time to render the /metrics exposition, in seconds';
/** Buckets for scrape duration: scrapes take milliseconds, and a slow one is what matters. */
const SCRAPE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * `/metrics` for the controller and the system server alike: picks the format from the
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
    this.scrapes = namespace.createIntCounter('system_scrapes_total', SCRAPES_HELP);
    this.scrapeDuration = namespace.createHistogram(
      'system_scrape_duration_seconds',
      SCRAPE_DURATION_HELP,
      {},
      SCRAPE_BUCKETS,
    );
  }

  /**
   * One scrape of `/metrics` (the controller's and the system server's): the runtime's
   * `leaseExposition()` in the format the Accept header asks for, counted and timed.
   */
  async scrape(accept?: string | string[]): Promise<Exposition> {
    const started = performance.now();
    const exposition = await this.runtime.leaseExposition(negotiateContentType(accept));
    this.scrapes.inc();
    this.scrapeDuration.observe((performance.now() - started) / 1000);
    return exposition;
  }
}
