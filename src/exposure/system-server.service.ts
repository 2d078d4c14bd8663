import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SYSTEM_SERVER } from '../core';
import { DYNAMO_METRICS_CONFIG } from '../nest/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../nest/dynamo-metrics-options.interface';
import { HealthService } from './health.service';
import { displayUrl, listen, send } from './http-server.util';
import { MetricsExporter } from './metrics-exporter.service';

/**
 * The dedicated system server (DYN_SYSTEM_PORT): `/metrics`, `/health` and `/live` on their own
 * port, away from the public API. Starts while the app initialises (a taken port stops start-up)
 * and closes with the app.
 */
@Injectable()
export class SystemServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DynamoMetrics');
  private server?: Server;
  private boundPort?: number;

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly exporter: MetricsExporter,
    private readonly health: HealthService,
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
    const { enabled, port, host } = this.config.system;
    if (!enabled || port === undefined) return;
    const server = createServer((req, res) => void this.handle(req, res));
    this.boundPort = await listen(server, SYSTEM_SERVER, port, host);
    this.server = server;
    this.logger.log(
      `Dynamo system server listening on ${this.url} (host ${host}): ` +
        `${this.config.system.metricsPath}, /health, /live`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', {
          allow: 'GET, HEAD',
        });
      }
      if (path === this.config.system.metricsPath) {
        const { contentType, body } = await this.exporter.render(req.headers.accept);
        return send(res, 200, contentType, body);
      }
      if (path === '/health') {
        const report = this.health.report();
        return send(
          res,
          report.status === 'ready' ? 200 : 503,
          'application/json',
          JSON.stringify(report),
        );
      }
      if (path === '/live') {
        return send(res, 200, 'application/json', JSON.stringify({ status: 'live' }));
      }
      return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    } catch (err) {
      this.logger.error(`System server failed on ${path}: ${(err as Error).message}`);
      return send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
    }
  }
}
