import type { INestApplication } from '@nestjs/common';

/**
 * Opt-in tracing for the sample: with OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. the compose stack's
 * Tempo, `http://localhost:4318`), every HTTP request runs in a server span that continues the
 * caller's `traceparent`, and spans are exported over OTLP/HTTP. The metrics' exemplars then
 * carry these spans' ids (an active OpenTelemetry span wins over the header), so a click on an
 * exemplar in Grafana opens a trace that exists. Without the variable nothing here is loaded.
 *
 * A real service would use @opentelemetry/sdk-node with its HTTP instrumentation; this keeps the
 * sample's dependencies to the tracing API, the base SDK and the OTLP exporter.
 */
export async function enableTracing(
  app: INestApplication,
): Promise<(() => Promise<void>) | undefined> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const { context, propagation, trace, SpanKind } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');

  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracer = provider.getTracer('nestjs-dynamo-metrics-sample');

  // Runs before Nest's routing (Express and Fastify alike take connect-style middleware).
  app.use(
    (
      req: { method?: string; url?: string; headers: Record<string, unknown> },
      res: { once(event: 'close', listener: () => void): unknown },
      next: () => void,
    ) => {
      const parent = propagation.extract(context.active(), req.headers);
      const span = tracer.startSpan(
        `${req.method} ${(req.url ?? '/').split('?')[0]}`,
        { kind: SpanKind.SERVER },
        parent,
      );
      res.once('close', () => span.end());
      context.with(trace.setSpan(parent, span), next);
    },
  );
  return () => provider.shutdown();
}
