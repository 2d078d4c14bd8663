import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DistributedRuntime, namingProfile } from '../core';
import { LOG_MESSAGES } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { ENV } from '../config/environment';
import { InstrumentationExplorer } from '../instrumentation/instrumentation.explorer';
import { servesMetricsInApp } from './dynamo-metrics-route';
import { SystemServer } from './system-server.service';

/**
 * Nest's manner: one `log` line when the app has started (after every onModuleInit, so the
 * system server's port and the decorated handlers are known); per-metric and per-handler lines
 * only with DYN_LOG=debug (option `logLevel`).
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
    const { metricsPath: path, healthPath, livePath, host, port, statusPage } = this.config.system;
    const url = this.systemServer.url;
    const bound = this.systemServer.port;
    const exposure = servesMetricsInApp(this.config)
      ? ({ mode: 'in-app', path } as const)
      : url !== undefined && bound !== undefined
        ? ({
            mode: 'system',
            // The address as bound (0.0.0.0: every interface), and a URL that reaches it here.
            bind: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
            url,
            path,
            probes: [healthPath, livePath],
            statusPage,
          } as const)
        : ({ mode: 'off', ignoredPort: this.ignoredPort(port) } as const);
    const handlers = this.explorer
      .decorators()
      .map((d) => [d, this.explorer.handlerCount(d)] as const);
    const metrics = this.runtime.metricFamilies().length;
    this.logger.log(LOG_MESSAGES.startupSummary(exposure, handlers, metrics, this.config.otlp));
  }

  /** Why a system port that is set starts no server; undefined when none is set. */
  private ignoredPort(port: number | undefined): string | undefined {
    if (port === undefined) return undefined;
    // Where the port alone would start the server, exposure must have been turned off.
    const explicitlyOff = namingProfile(this.config.naming).systemPortAloneEnables;
    return LOG_MESSAGES.systemPortIgnored(ENV.port, port, ENV.enabled, explicitlyOff);
  }
}
