import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { RESPONSE_PASSTHROUGH_METADATA } from '../instrumentation/nest-internals';
import { replyExposition } from './exposition-response';
import { acceptsGzip } from './gzip-encoding';
import { MetricsExporter } from './metrics-exporter.service';

/**
 * `GET /metrics` on the application's own server (Express or Fastify), registered through
 * `@willsoto/nestjs-prometheus` (which sets its path). It serves the whole runtime, global
 * prom-client registry included, in the format the scraper asks for. Each module definition
 * mounts its own subclass; guards recognise it with `isDynamoMetricsRoute(context)`.
 */
@Controller()
export class DynamoMetricsController extends PrometheusController {
  constructor(
    private readonly exporter: MetricsExporter,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {
    super();
  }

  /**
   * Sends the exposition itself (no passthrough), so global interceptors that reshape
   * responses cannot turn it into something no scraper parses; gzip-encoded when the scraper
   * accepts it.
   */
  @Get()
  override async index(
    @Res() response: unknown,
    @Req() request?: { headers: Record<string, string | string[] | undefined> },
  ): Promise<string> {
    // forRootAsync() unmounts the route when its options say so (see the module); should that
    // ever not happen, it still answers as absent.
    const { enabled, port } = this.config.system;
    if (!enabled || port !== undefined) throw new NotFoundException();
    const headers = request?.headers ?? {};
    await replyExposition(
      response,
      await this.exporter.scrape(headers.accept),
      acceptsGzip(headers['accept-encoding']),
    );
    // The response is sent; the inherited signature returns text, which Nest ignores here.
    return '';
  }
}

// The parent's `@Res({ passthrough: true })` flag is inherited through metadata lookup; without
// clearing it Nest would send the returned body a second time (ERR_HTTP_HEADERS_SENT).
Reflect.defineMetadata(RESPONSE_PASSTHROUGH_METADATA, false, DynamoMetricsController, 'index');
