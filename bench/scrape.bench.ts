import { fork } from 'node:child_process';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { Component, DistributedRuntime, WORKER_METRICS, WorkerMetrics } from '../src/internal';
import { writeExposition } from '../src/exposure/exposition-response';
import { BenchArgs, median, round } from './harness';
import { longestBlockDuring } from './event-loop-probe';

/** The same labelled histogram series in a runtime and in a prom-client Registry. */
export function buildSeries(series: number) {
  const runtime = new DistributedRuntime();
  const component = runtime.namespace('dynamo').component('backend');
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'dynamo_request_duration_seconds',
    help: WORKER_METRICS.duration.help,
    labelNames: ['namespace', 'component', 'endpoint'],
    registers: [registry],
  });
  for (let i = 0; i < series; i++) {
    const name = `endpoint_${i}`;
    const hist = component
      .endpoint(name)
      .createHistogram(WORKER_METRICS.duration.name, WORKER_METRICS.duration.help);
    const bound = histogram.labels({ namespace: 'dynamo', component: 'backend', endpoint: name });
    for (let k = 0; k < 20; k++) {
      const v = (k * 0.37 + i * 0.001) % 12;
      hist.observe(v);
      bound.observe(v);
    }
  }
  return { runtime, component, registry };
}

/** Best time of `rounds` alternating calls of each function, in ms. */
async function bestOf(rounds: number, ...fns: Array<() => Promise<unknown>>): Promise<number[]> {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) {
      const start = process.hrtime.bigint();
      await fns[i]!();
      best[i] = Math.min(best[i]!, Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return best;
}

/**
 * A /metrics server in this process: ours writes parts (gzip-compressed on zlib's threadpool
 * for `/ours-gzip`), prom-client's sends its one string.
 */
async function metricsServer(runtime: DistributedRuntime, registry: Registry): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/ours')) {
      const gzip = req.url === '/ours-gzip';
      void runtime.leaseExposition().then((exposition) => writeExposition(res, exposition, gzip));
    } else {
      void registry.metrics().then((body) => res.end(body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A scraper in its own process, as Prometheus is: the server's event loop is the bench's. */
function startScraper(port: number) {
  const child = fork(join(__dirname, 'scraper-process.js'), [String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    scrape: (path: string, gzip = false) =>
      new Promise<number>((resolve) => {
        child.once('message', (bytes: number) => resolve(bytes));
        child.send({ path, gzip });
      }),
    stop: () => child.kill(),
  };
}

/**
 * The longest event-loop block of each of `rounds` plain scrapes of the runtime's /metrics,
 * served here and scraped by another process (for comparisons made in other benches' runs).
 */
export async function scrapeBlocks(runtime: DistributedRuntime, rounds: number): Promise<number[]> {
  const server = await metricsServer(runtime, new Registry());
  const scraper = startScraper((server.address() as AddressInfo).port);
  const blocks: number[] = [];
  await scraper.scrape('/ours'); // warm-up: label text, buffers
  global.gc?.();
  for (let r = 0; r < rounds; r++) {
    blocks.push(await longestBlockDuring(() => scraper.scrape('/ours')));
  }
  scraper.stop();
  server.close();
  return blocks;
}

/**
 * `/metrics` cost for 1,000 and 10,000 labelled histogram series: the runtime's
 * prometheusMetricsFmt() (and the parts /metrics writes) versus prom-client's own metrics() on
 * the same series and observations (the outputs must be byte-identical), and the longest
 * event-loop block during a 10,000-series scrape served over HTTP to another process, ours next
 * to prom-client's.
 */
export async function benchScrape(args: BenchArgs) {
  const out: Record<string, number> = {};
  for (const series of [1000, 10_000]) {
    const { runtime, component, registry } = buildSeries(series);
    const text = await runtime.prometheusMetricsFmt();
    if (text !== (await registry.metrics())) {
      throw new Error(`scrape bench: outputs differ from prom-client's at ${series} series`);
    }
    const big = series > 1000;
    const rounds = (args.quick ? 5 : 15) * (big ? 1 : 3);
    const [ms, partsMs, promclientMs] = await bestOf(
      rounds,
      () => runtime.prometheusMetricsFmt(),
      // What /metrics itself does: bytes on lease, never joined into one string.
      async () => (await runtime.leaseExposition()).release(),
      () => registry.metrics(),
    );
    const suffix = big ? '_10k' : '';
    out[`ms${suffix}`] = round(ms!, 2);
    out[`parts_ms${suffix}`] = round(partsMs!, 2);
    out[`promclient_ms${suffix}`] = round(promclientMs!, 2);
    // The headline compares like with like: one string each (prometheusMetricsFmt vs metrics()).
    out[big ? 'ratio_10k_vs_promclient' : 'ratio_vs_promclient'] = round(ms! / promclientMs!);
    out[`parts_ratio${suffix}_vs_promclient`] = round(partsMs! / promclientMs!);
    if (big) {
      const server = await metricsServer(runtime, registry);
      const scraper = startScraper((server.address() as AddressInfo).port);
      const newSide = (path: string, gzip = false) => ({
        path,
        gzip,
        blocks: [] as number[],
        ms: [] as number[],
        bytes: 0,
      });
      const sides = {
        ours: newSide('/ours'),
        gzip: newSide('/ours-gzip', true),
        promclient: newSide('/promclient'),
      };
      // Each side's scrapes in a row, from a collected heap: the other side's garbage (16 MB
      // strings per prom-client scrape) must not be collected during the side measured.
      for (const side of Object.values(sides)) {
        global.gc?.();
        for (let r = 0; r < (args.quick ? 3 : 7); r++) {
          const start = performance.now();
          side.blocks.push(
            await longestBlockDuring(
              async () => (side.bytes = await scraper.scrape(side.path, side.gzip)),
            ),
          );
          side.ms.push(performance.now() - start);
        }
      }
      scraper.stop();
      server.close();
      // The median scrape's longest block: a shared machine preempts the odd slice.
      out.max_block_ms_10k = round(median(sides.ours.blocks), 2);
      out.promclient_max_block_ms_10k = round(median(sides.promclient.blocks), 2);
      out.bytes_10k = Buffer.byteLength(text);
      // The whole scrape as the scraper sees it (render, compression, transfer), plain and gzip.
      out.scrape_ms_10k = round(median(sides.ours.ms), 1);
      out.gzip_scrape_ms_10k = round(median(sides.gzip.ms), 1);
      out.gzip_bytes_10k = sides.gzip.bytes;
      out.gzip_max_block_ms_10k = round(median(sides.gzip.blocks), 2);
    } else {
      out.heap_growth_kb_over_calls = heapGrowthKb(component, args);
    }
  }
  return { series: 1000, ...out, calls: args.quick ? 200_000 : 1_000_000 };
}

/** Heap over many calls: fixed cost per series, flat heap on the hot path. */
function heapGrowthKb(component: Component, args: BenchArgs): number {
  const worker = new WorkerMetrics(component.endpoint('heap_check'));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const calls = args.quick ? 200_000 : 1_000_000;
  for (let i = 0; i < calls; i++)
    worker.end({ startedAt: worker.start(), requestBytes: 10, responseBytes: 10 });
  global.gc?.();
  return round((process.memoryUsage().heapUsed - heapBefore) / 1024, 1);
}
