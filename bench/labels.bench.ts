import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DynamoEndpoint, DynamoMetricsModule } from '../src';
import { BenchArgs, nsPerOpAsync, round } from './harness';

interface Request {
  model: string;
}

@Injectable()
class BareService {
  async generate(r: Request): Promise<number> {
    return r.model.length;
  }
}

@Injectable()
class FixedService {
  @DynamoEndpoint({ component: 'bench', endpoint: 'fixed' })
  async generate(r: Request): Promise<number> {
    return r.model.length;
  }
}

@Injectable()
class LabelledService {
  @DynamoEndpoint({
    component: 'bench',
    endpoint: 'labelled',
    labels: { model: ([r]) => (r as Request).model },
  })
  async generate(r: Request): Promise<number> {
    return r.model.length;
  }
}

// Two apps, two runtimes: within one, every decorated endpoint has the same label names.
@Module({ imports: [DynamoMetricsModule.forRoot()], providers: [BareService, FixedService] })
class FixedBenchModule {}

@Module({ imports: [DynamoMetricsModule.forRoot()], providers: [LabelledService] })
class LabelledBenchModule {}

/**
 * Per-call labels: a decorated call whose `model` label comes from its argument (three models
 * in turn, each label set bound once and reused) against the same call with fixed labels, both
 * over a bare call: ratio = (labelled - bare) / (fixed - bare); target <= 1.5.
 */
export async function benchLabels(args: BenchArgs) {
  const fixedApp = await NestFactory.createApplicationContext(FixedBenchModule, { logger: false });
  const labelledApp = await NestFactory.createApplicationContext(LabelledBenchModule, {
    logger: false,
  });
  const requests: Request[] = [
    { model: 'llama-3-8b' },
    { model: 'mistral-7b' },
    { model: 'qwen2-7b' },
  ];
  const services = {
    bare: fixedApp.get(BareService),
    fixed: fixedApp.get(FixedService),
    labelled: labelledApp.get(LabelledService),
  };
  const loop = (s: { generate(r: Request): Promise<number> }) => async (n: number) => {
    for (let i = 0; i < n; i++) await s.generate(requests[i % 3]!);
  };
  const iterations = args.quick ? 200_000 : 1_000_000;
  const rounds = args.quick ? 3 : 7;
  const best = { bare: Infinity, fixed: Infinity, labelled: Infinity };
  // Alternated, so the three see the same machine state.
  for (let r = 0; r < 3; r++) {
    for (const name of ['bare', 'fixed', 'labelled'] as const) {
      best[name] = Math.min(
        best[name],
        await nsPerOpAsync(loop(services[name]), iterations, rounds),
      );
    }
  }
  await Promise.all([fixedApp.close(), labelledApp.close()]);
  return {
    bare_ns: round(best.bare, 1),
    fixed_ns: round(best.fixed, 1),
    labelled_ns: round(best.labelled, 1),
    ratio_vs_fixed: round((best.labelled - best.bare) / (best.fixed - best.bare)),
  };
}
