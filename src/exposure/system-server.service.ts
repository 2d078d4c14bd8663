import { createServer, Server } from 'node:http';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { negotiateContentType } from '../core';
import { LOG_MESSAGES, SYSTEM_SERVER } from '../config/config.messages';
import {
  DYNAMO_METRICS_CONFIG,
  HEALTH_PATH,
  LIVE_PATH,
  LOGGER_CONTEXT,
} from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { ENV } from '../config/environment';
import { writeExposition } from './exposition-response';
import { HealthService } from './health.service';
import { displayUrl, listen, Route, routeTable, sendJson } from './http-server.util';
import { MetricsExporter } from './metrics-exporter.service';
import { StatusHistory } from './status-page/status-history.service';
import { statusPageRoutes } from './status-page/status-page.routes';

/**
 * The dedicated system server (DYN_SYSTEM_PORT): `/metrics`, `/health` and `/live` on their own
 * port, away from the public API. Starts while the app initialises (a taken port stops start-up)
 * and closes with the app.
 */
@Injectable()
export class SystemServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private server?: Server;
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

  get url(): string | undefined {
    return this.boundPort === undefined
      ? undefined
      : displayUrl(this.config.system.host, this.boundPort);
  }

  async onModuleInit(): Promise<void> {
    const { enabled, port, host, statusPage } = this.config.system;
    if (enabled && port === undefined && statusPage) {
      this.logger.warn(LOG_MESSAGES.statusPageNeedsSystemServer(ENV.statusPage, ENV.port));
    }
    if (!enabled || port === undefined) return;
    const server = createServer(
      routeTable(this.routes(), (path, err) =>
        this.logger.error(LOG_MESSAGES.systemServerFailed(path, err.message)),
      ),
    );
    this.boundPort = await listen(server, SYSTEM_SERVER, port, host, {
      port: ENV.port,
      host: ENV.host,
    });
    this.server = server;
    // The start-up summary (StartupSummary) names the address and URLs at `log` level.
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private routes(): Map<string, Route> {
    return new Map<string, Route>([
      [
        this.config.system.metricsPath,
        async (req, res) => {
          if (req.method === 'HEAD') {
            // Headers only: no rendering, and not a scrape.
            res.writeHead(200, { 'content-type': negotiateContentType(req.headers.accept) });
            return void res.end();
          }
          writeExposition(res, await this.exporter.renderParts(req.headers.accept));
        },
      ],
      [
        HEALTH_PATH,
        (_req, res) => {
          const report = this.health.report();
          sendJson(res, report.status === 'ready' ? 200 : 503, report);
        },
      ],
      [LIVE_PATH, (_req, res) => sendJson(res, 200, { status: 'live' })],
      ...(this.config.system.statusPage ? statusPageRoutes(this.config, this.history) : []),
    ]);
  }
}
