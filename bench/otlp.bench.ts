import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { OtlpProtocol } from '../src/internal';
import { resolveConfig, startOtlpExport } from '../src/internal';
import { longestBlockDuring } from './event-loop-probe';
import { BenchArgs, median, round } from './harness';
import { buildSeries, scrapeBlocks } from './scrape.bench';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf', 'grpc'];

/** A collector in its own process; `counts()` asks for the requests and bytes since last asked. */
async function startCollector(protocol: OtlpProtocol) {
  const child = fork(join(__dirname, 'otlp-receiver-process.js'), [protocol], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  return {
    port,
    counts: () =>
      new Promise<{ requests: number; bytes: number }>((resolve) => {
        child.once('message', resolve);
        child.send('counts');
      }),
    stop: () => child.kill(),
  };
}

/**
 * The OTLP export of 10,000 labelled histogram series, in each protocol, to a collector in
 * another process: the longest event-loop block during one export (collection, encoding by the
 * official exporter, sending), against the longest block of a /metrics scrape of the same
 * series in the same run (target: no worse). Also the time of one export, its requests and
 * its bytes on the wire.
 */
export async function benchOtlp(args: BenchArgs) {
  const { runtime } = buildSeries(10_000);
  const rounds = args.quick ? 3 : 7;
  const out: Record<string, number> = { series: 10_000 };
  out.scrape_max_block_ms_10k = round(median(await scrapeBlocks(runtime, rounds)), 2);
  for (const protocol of PROTOCOLS) {
    const collector = await startCollector(protocol);
    const endpoint =
      protocol === 'grpc'
        ? `http://127.0.0.1:${collector.port}`
        : `http://127.0.0.1:${collector.port}/v1/metrics`;
    const otlp = resolveConfig(
      {},
      {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint,
        // No export of its own during the bench: each one is forced and measured.
        OTEL_METRIC_EXPORT_INTERVAL: '3600000',
      },
    ).otlp!;
    let failed = 0;
    const provider = startOtlpExport(runtime, otlp, (ok) => (failed += ok ? 0 : 1));
    await provider.forceFlush(); // warm-up: connection, JIT
    await collector.counts();
    const blocks: number[] = [];
    const ms: number[] = [];
    global.gc?.();
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      blocks.push(await longestBlockDuring(() => provider.forceFlush()));
      ms.push(performance.now() - start);
    }
    const { requests, bytes } = await collector.counts();
    await provider.shutdown();
    collector.stop();
    if (failed > 0) throw new Error(`otlp bench: ${failed} ${protocol} export requests failed`);
    const key = protocol.replace('http/', '');
    out[`${key}_max_block_ms_10k`] = round(median(blocks), 2);
    out[`${key}_export_ms_10k`] = round(median(ms), 1);
    out[`${key}_requests_per_export`] = round(requests / rounds, 1);
    out[`${key}_bytes_per_export`] = Math.round(bytes / rounds);
  }
  return out;
}
