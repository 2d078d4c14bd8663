import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LOG_MESSAGES, SYSTEM_SERVER } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { ENV } from '../config/environment';
import { HealthService } from './health.service';
import { createLimitedServer, displayUrl, listen, routeTable } from './http-server.util';
import { MetricsExporter } from './metrics-exporter.service';
import { StatusHistory } from './status-page/status-history.service';
import { systemServerRoutes } from './system-server.routes';
import { loadServerSecurity, ServerSecurity } from './web-config/server-security';

/**
 * The dedicated system server (DYN_SYSTEM_PORT): `/metrics`, `/health` and `/live` on their own
 * port, away from the public API, secured as its web config says (DYN_SYSTEM_WEB_CONFIG_FILE).
 * Starts while the app initialises (a taken port or a bad web config stops start-up) and
 * closes with the app.
 */
@Injectable()
export class SystemServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private server?: Server;
  private security?: ServerSecurity;
  private boundPort?: number;

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly exporter: MetricsExporter,
    private readonly health: HealthService,
    private readonly history: StatusHistory,
  ) {}

  /** The port the system server listens on (the real one when DYN_SYSTEM_PORT=0); else undefined. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** `http://host:port`, or `https://` when its web config sets TLS. */
  get url(): string | undefined {
    return this.boundPort === undefined
      ? undefined
      : displayUrl(this.config.system.host, this.boundPort, this.security?.tls ? 'https' : 'http');
  }

  /**
   * The metrics path when metrics are on (`DYN_SYSTEM_ENABLED`), served on this server's `url`
   * when it runs, else on the app's own port; `undefined` when they are off.
   */
  get metricsPath(): string | undefined {
    return this.config.system.enabled ? this.config.system.metricsPath : undefined;
  }

  /** The probe paths, served on `url` (`DYN_SYSTEM_HEALTH_PATH`, `DYN_SYSTEM_LIVE_PATH`). */
  get probePaths(): { readonly health: string; readonly live: string } {
    return { health: this.config.system.healthPath, live: this.config.system.livePath };
  }

  /** Whether `url` serves the status page at `/`. */
  get statusPage(): boolean {
    return this.boundPort !== undefined && this.config.system.statusPage;
  }

  async onModuleInit(): Promise<void> {
    const { enabled, port, host, statusPage, webConfigFile } = this.config.system;
    if (enabled && port === undefined && statusPage) {
      this.logger.warn(LOG_MESSAGES.statusPageNeedsSystemServer(ENV.statusPage, ENV.port));
    }
    if (!enabled || port === undefined) return;
    const security = webConfigFile === undefined ? undefined : loadServerSecurity(webConfigFile);
    const { config, exporter, health, history } = this;
    const server = createLimitedServer(
      routeTable(
        systemServerRoutes({ config, exporter, health, history, auth: security?.auth }),
        (path, err) => this.logger.error(LOG_MESSAGES.systemServerFailed(path, err.message)),
      ),
      config.system.connections,
      security?.tls?.serverOptions(),
    );
    security?.tls?.attach(server as HttpsServer, {
      reloaded: (files) => this.logger.log(LOG_MESSAGES.certificatesReloaded(files)),
      reloadFailed: (reason) => this.logger.warn(LOG_MESSAGES.certificatesReloadFailed(reason)),
    });
    if (security?.auth && !security.tls) {
      this.logger.warn(LOG_MESSAGES.basicAuthWithoutTls(security.file));
    }
    try {
      this.boundPort = await listen(server, SYSTEM_SERVER, port, host, {
        port: ENV.port,
        host: ENV.host,
      });
    } catch (err) {
      await security?.auth?.close();
      throw err;
    }
    this.server = server;
    this.security = security;
    // The start-up summary (StartupSummary) names the address and URLs at `log` level.
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const auth = this.security?.auth;
    this.server = undefined;
    this.security = undefined;
    this.boundPort = undefined;
    server.closeAllConnections();
    await Promise.all([
      auth?.close(),
      new Promise<void>((resolve) => server.close(() => resolve())),
    ]);
  }
}
