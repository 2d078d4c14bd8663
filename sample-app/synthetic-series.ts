import { DistributedRuntime } from '../src';

/**
 * `SAMPLE_SYNTHETIC_SERIES=N`: N extra histogram series (one per endpoint `shard_<i>` of a
 * `synthetic` component, each observed once), to see what a large `/metrics` costs the app
 * while it serves (about 1.6 KB of exposition per series). Default 0.
 */
export function createSyntheticSeries(
  runtime: DistributedRuntime,
  count = Number(process.env.SAMPLE_SYNTHETIC_SERIES ?? 0),
): number {
  const component = runtime.namespace('dynamo').component('synthetic');
  for (let i = 0; i < count; i++) {
    component
      .endpoint(`shard_${i}`)
      .createHistogram('synthetic_latency_seconds', 'Synthetic series for large scrapes')
      .observe((i % 100) / 10);
  }
  return count;
}
