import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { DistributedRuntime } from '../core';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { expressRoutes } from '../instrumentation/nest-internals';
import { installExpressHooks } from './express-hooks';
import { installFastifyHooks } from './fastify-hooks';
import { HttpServerRecorder } from './http-server.recorder';
import { HttpServerFamilies, RouteSeries } from './http-server-families';
import { HTTP_SERVER_MESSAGES } from './http-server.messages';
import { PathExclusions, withGlobalPrefix } from './path-exclusions';

/**
 * HTTP server metrics for every route (`DYN_METRICS_HTTP_SERVER`, option `httpServer`): one
 * set of hooks on the application's HTTP adapter, installed once the routes are registered
 * (`onModuleInit` runs after Nest's RouterExplorer), which works for `NestFactory.create()` and
 * `Test.createTestingModule()` alike.
 */
@Injectable()
export class HttpServerMetrics implements OnModuleInit {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly runtime: DistributedRuntime,
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    const settings = this.config.httpServer;
    // A standalone microservice has no HTTP adapter.
    const adapter = this.adapterHost.httpAdapter;
    if (!settings.enabled || !adapter) return;
    const type = adapter.getType();
    if (type !== 'express' && type !== 'fastify') {
      this.logger.warn(HTTP_SERVER_MESSAGES.unsupportedAdapter(type));
      return;
    }
    const families = new HttpServerFamilies(this.runtime, settings.buckets, settings.knownMethods);
    const recorder = new HttpServerRecorder(families, new PathExclusions(this.exclusions()));
    if (type === 'fastify') {
      installFastifyHooks(adapter.getInstance(), recorder);
      return;
    }
    const routes = new Map<object, RouteSeries>();
    for (const [route, path] of expressRoutes(adapter.getInstance())) {
      routes.set(route, recorder.route(path, path));
    }
    if (!installExpressHooks(adapter.getInstance(), routes, recorder)) {
      this.logger.warn(HTTP_SERVER_MESSAGES.expressRouterNotFound());
    }
  }

  /** The option's list, else the in-app metrics route and the probes, as routed. */
  private exclusions(): ReadonlyArray<string | RegExp> {
    const { exclude } = this.config.httpServer;
    if (exclude !== undefined) return exclude;
    const { metricsPath, healthPath, livePath } = this.config.system;
    return withGlobalPrefix([metricsPath, healthPath, livePath], this.appConfig.getGlobalPrefix());
  }
}
