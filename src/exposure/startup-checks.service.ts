import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DistributedRuntime, DynamoMetricsError } from '../core';
import { CONFIG_MESSAGES, LOG_MESSAGES } from '../config/config.messages';
import { ENV, settingSource } from '../config/environment';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { HealthService } from './health.service';

/**
 * Start-up checks that need the whole application: every provider exists by `onModuleInit`
 * (so prom-client global metrics made in constructors, e.g. willsoto's, are registered), and
 * every decorated endpoint is known by `onApplicationBootstrap`.
 */
@Injectable()
export class StartupChecks implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    private readonly runtime: DistributedRuntime,
    private readonly health: HealthService,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {}

  /** A global-registry metric that shares a name with ours would be dropped from /metrics. */
  onModuleInit(): void {
    this.runtime.checkGlobalRegistry();
  }

  /** An endpoint /health waits for that nothing registers would keep it not ready forever. */
  onApplicationBootstrap(): void {
    const known = this.health.endpointNames();
    const missing = this.config.system.useEndpointHealthStatus.filter((n) => !known.includes(n));
    if (missing.length) this.logger.warn(LOG_MESSAGES.unknownHealthEndpoints(missing, known));
    this.checkBudgetNames();
  }

  /**
   * A per-metric budget naming no metric would silently leave the metric it meant at the
   * default: refused once every metric made at start-up exists. Frontend families are created
   * on first use, so any name under the frontend prefix is accepted.
   */
  private checkBudgetNames(): void {
    const names = Object.keys(this.config.series.maxSeriesPerMetric);
    if (names.length === 0) return;
    const existing = new Set(this.runtime.metricFamilies().map((f) => f.name));
    const frontend = `${this.config.frontendPrefix}_`;
    const unknown = names.filter((n) => !existing.has(n) && !n.startsWith(frontend));
    if (unknown.length === 0) return;
    throw new DynamoMetricsError(
      CONFIG_MESSAGES.unknownBudgetMetrics(
        settingSource(ENV.maxSeriesPerMetric),
        unknown,
        [...existing].sort(),
        frontend,
      ),
    );
  }
}
