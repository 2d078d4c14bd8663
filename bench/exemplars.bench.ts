import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { DynamoEndpoint, DynamoMetricsModule } from '../src';
import { BenchArgs, nsPerOpAsync, round } from './harness';

@Injectable()
class TracedService {
  @DynamoEndpoint({ component: 'bench', endpoint: 'traced' })
  async work(x: number): Promise<number> {
    return x + 1;
  }
}

const moduleWith = (exemplars: boolean) => {
  @Module({
    imports: [DynamoMetricsModule.forRoot({ exemplars })],
    providers: [TracedService],
  })
  class ExemplarBenchModule {}
  return ExemplarBenchModule;
};

/**
 * What exemplars cost per decorated call: the same async provider method with exemplars off
 * and on, outside any trace and inside an active OpenTelemetry span (the trace id is looked
 * up and kept on the duration bucket). `traced_extra_ns` compares on and off inside the same
 * span, so OpenTelemetry's own context propagation is not counted. Target: +150 ns.
 */
export async function benchExemplars(args: BenchArgs) {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const off = await NestFactory.createApplicationContext(moduleWith(false), { logger: false });
  const on = await NestFactory.createApplicationContext(moduleWith(true), { logger: false });
  const offService = off.get(TracedService);
  const onService = on.get(TracedService);
  const span = new BasicTracerProvider().getTracer('bench').startSpan('bench');
  const inSpan = trace.setSpan(context.active(), span);

  const loop = (service: TracedService) => async (n: number) => {
    for (let i = 0; i < n; i++) await service.work(i);
  };
  const iterations = args.quick ? 200_000 : 1_000_000;
  const rounds = args.quick ? 3 : 7;
  const best = { off: Infinity, offInSpan: Infinity, onNoTrace: Infinity, onTraced: Infinity };
  for (let r = 0; r < 3; r++) {
    best.off = Math.min(best.off, await nsPerOpAsync(loop(offService), iterations, rounds));
    best.onNoTrace = Math.min(
      best.onNoTrace,
      await nsPerOpAsync(loop(onService), iterations, rounds),
    );
    // The span's own context propagation costs every await: the baseline runs inside it too.
    best.offInSpan = Math.min(
      best.offInSpan,
      await context.with(inSpan, () => nsPerOpAsync(loop(offService), iterations, rounds)),
    );
    best.onTraced = Math.min(
      best.onTraced,
      await context.with(inSpan, () => nsPerOpAsync(loop(onService), iterations, rounds)),
    );
  }
  span.end();
  await off.close();
  await on.close();
  context.disable();
  return {
    off_ns: round(best.off, 1),
    on_no_trace_ns: round(best.onNoTrace, 1),
    off_in_span_ns: round(best.offInSpan, 1),
    on_traced_ns: round(best.onTraced, 1),
    no_trace_extra_ns: round(best.onNoTrace - best.off, 1),
    traced_extra_ns: round(best.onTraced - best.offInSpan, 1),
  };
}
