import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DistributedRuntime, Namespace } from '../../core';
import { LOG_MESSAGES } from '../../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../../config/dynamo-metrics-options.interface';
import { ExportOutcomes } from './export-outcomes';
import { startOtlpExport } from './otlp-pipeline';
import type { MeterProviderLike } from './otlp-sdk';

/**
 * OTLP push (`OTEL_METRICS_EXPORTER=otlp` or the `otlp` option), started while the app
 * initialises: every interval the runtime goes to the collector, as `/metrics` shows it. A
 * collector that is down, slow or failing costs a request per interval, counted and logged once
 * per outage; on shutdown the reader exports once more, within the request timeout. Nothing is
 * loaded when the export is off.
 */
@Injectable()
export class OtlpExport implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private provider?: MeterProviderLike;

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly runtime: DistributedRuntime,
    @Inject(Namespace) private readonly namespace: Namespace,
  ) {}

  onModuleInit(): void {
    const otlp = this.config.otlp;
    if (!otlp) return;
    const outcomes = new ExportOutcomes(this.namespace, otlp.endpoint, this.logger);
    this.provider = startOtlpExport(this.runtime, otlp, (ok, error) => outcomes.record(ok, error));
  }

  /**
   * After the HTTP servers have closed: requests that finished while they drained are in the
   * last export. Its request ends at the request timeout; whatever else happens, shutdown waits
   * at most twice that.
   */
  async onApplicationShutdown(): Promise<void> {
    const provider = this.provider;
    if (!provider) return;
    this.provider = undefined;
    const { endpoint, timeoutMs } = this.config.otlp!;
    const bound = 2 * timeoutMs;
    try {
      await provider.shutdown({ timeoutMillis: bound });
    } catch (err) {
      const reason = err instanceof Error ? err.message || err.name : String(err);
      this.logger.warn(LOG_MESSAGES.otlpFinalExportFailed(endpoint, bound, reason));
    }
  }
}
