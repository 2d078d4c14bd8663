import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DistributedRuntime } from '../core';
import { LOG_MESSAGES } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { InstrumentationExplorer } from '../instrumentation/instrumentation.explorer';
import { servesMetricsInApp } from './dynamo-metrics-route';
import { SystemServer } from './system-server.service';

/**
 * Nest's manner: one `log` line when the app has started (after every onModuleInit, so the
 * system server's port and the decorated handlers are known); per-metric and per-handler lines
 * are at `verbose`.
 */
@Injectable()
export class StartupSummary implements OnApplicationBootstrap {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly runtime: DistributedRuntime,
    private readonly explorer: InstrumentationExplorer,
    private readonly systemServer: SystemServer,
  ) {}

  onApplicationBootstrap(): void {
    const path = this.config.system.metricsPath;
    const url = this.systemServer.url;
    const exposure = servesMetricsInApp(this.config)
      ? ({ mode: 'in-app', path } as const)
      : url !== undefined
        ? ({ mode: 'system', url, path } as const)
        : ({ mode: 'off' } as const);
    const handlers = this.explorer
      .decorators()
      .map((d) => [d, this.explorer.handlerCount(d)] as const);
    const metrics = this.runtime.metricFamilies().length;
    this.logger.log(LOG_MESSAGES.startupSummary(exposure, handlers, metrics));
  }
}
