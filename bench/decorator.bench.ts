import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DynamoEndpoint, DynamoMetricsModule } from '../src';
import { BenchArgs, nsPerOpAsync, round } from './harness';
import { promClientWorkerMetrics } from './promclient-reference';

@Injectable()
class BareService {
  async work(x: number): Promise<number> {
    return x + 1;
  }
}

@Injectable()
class DecoratedService {
  @DynamoEndpoint({ component: 'bench', endpoint: 'work' })
  async work(x: number): Promise<number> {
    return x + 1;
  }
}

@Module({ imports: [DynamoMetricsModule.forRoot()], providers: [BareService, DecoratedService] })
class BenchModule {}

/**
 * The whole @DynamoEndpoint overhead on an async provider method, against a hand-written
 * wrapper making the same updates through prom-client's API with labels, in one run:
 * ratio = (decorated - bare) / (promclient - bare).
 */
export async function benchDecorator(args: BenchArgs) {
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const bare = app.get(BareService);
  const decorated = app.get(DecoratedService);

  const labels = { namespace: 'dynamo', component: 'bench', endpoint: 'work' };
  const { requests, concurrent, duration, errors } = promClientWorkerMetrics();
  const handWritten = async (x: number): Promise<number> => {
    requests.inc(labels);
    concurrent.inc(labels);
    const end = duration.startTimer(labels);
    try {
      return await bare.work(x);
    } catch (err) {
      errors.inc({ ...labels, error_type: 'handler_error' });
      throw err;
    } finally {
      concurrent.dec(labels);
      end();
    }
  };

  const loop = (fn: (x: number) => Promise<number>) => async (n: number) => {
    for (let i = 0; i < n; i++) await fn(i);
  };
  const iterations = args.quick ? 200_000 : 1_000_000;
  const rounds = args.quick ? 3 : 7;
  const best = { bare: Infinity, decorated: Infinity, promclient: Infinity };
  for (let r = 0; r < 3; r++) {
    best.bare = Math.min(
      best.bare,
      await nsPerOpAsync(
        loop((x) => bare.work(x)),
        iterations,
        rounds,
      ),
    );
    best.decorated = Math.min(
      best.decorated,
      await nsPerOpAsync(
        loop((x) => decorated.work(x)),
        iterations,
        rounds,
      ),
    );
    best.promclient = Math.min(
      best.promclient,
      await nsPerOpAsync(loop(handWritten), iterations / 4, rounds),
    );
  }
  await app.close();
  const ratio = (best.decorated - best.bare) / (best.promclient - best.bare);
  return {
    bare_ns: round(best.bare, 1),
    decorated_ns: round(best.decorated, 1),
    promclient_ns: round(best.promclient, 1),
    overhead_ns: round(best.decorated - best.bare, 1),
    promclient_overhead_ns: round(best.promclient - best.bare, 1),
    ratio_vs_promclient: round(ratio),
  };
}
