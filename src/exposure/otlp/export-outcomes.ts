import type { LoggerService } from '@nestjs/common';
import type { CounterSeries, Namespace } from '../../core';
import { LOG_MESSAGES } from '../../config/config.messages';

/**
 * The outcome of every OTLP export request: counted (namespace-level, beside
 * `system_scrapes_total`), and logged once per outage: a warning at the first failure, one line
 * when a request succeeds again, nothing in between however many intervals it lasts.
 */
export class ExportOutcomes {
  private readonly requests: CounterSeries;
  private readonly failures: CounterSeries;
  private outage?: { since: number; failures: number };

  constructor(
    namespace: Namespace,
    private readonly endpoint: string,
    private readonly logger: LoggerService,
  ) {
    this.requests = namespace.createIntCounter(
      'otlp_exports_total',
      'OTLP export requests sent, failed or not',
    );
    this.failures = namespace.createIntCounter(
      'otlp_export_failures_total',
      'OTLP export requests that failed, after the exporter retried them',
    );
  }

  record(ok: boolean, error: Error | undefined): void {
    this.requests.inc();
    if (ok) {
      if (!this.outage) return;
      const { since, failures } = this.outage;
      this.outage = undefined;
      this.logger.log(
        LOG_MESSAGES.otlpExportRecovered(this.endpoint, failures, (Date.now() - since) / 1000),
      );
      return;
    }
    this.failures.inc();
    if (this.outage) {
      this.outage.failures++;
      return;
    }
    this.outage = { since: Date.now(), failures: 1 };
    this.logger.warn(
      LOG_MESSAGES.otlpExportFailing(
        this.endpoint,
        error ? error.message || error.name : 'no reason given',
        this.failures.metricName,
      ),
    );
  }
}
