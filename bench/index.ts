import { benchDecorator } from './decorator.bench';
import { benchExemplars } from './exemplars.bench';
import { benchInprocess } from './inprocess.bench';
import { benchLabels } from './labels.bench';
import { parseArgs } from './harness';
import { benchHttp } from './http.bench';
import { benchOtlp } from './otlp.bench';
import { benchScrape } from './scrape.bench';

/**
 * `npm run bench [-- --quick] [-- --json] [-- --only=inprocess,scrape,otlp]`. Prints a table of
 * results and, last, one JSON line with every figure. Ratios compare variants measured in this
 * same run, so they are meaningful on any machine; absolute figures are not.
 */
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const want = (name: string) => !args.only || args.only.includes(name);
  const results: Record<string, unknown> = {};
  const log = (...parts: unknown[]) => {
    if (!args.json) console.log(...parts);
    else console.error(...parts);
  };

  if (want('inprocess')) {
    results.inprocess = benchInprocess(args);
    log('inprocess (target ratio <= 0.15):', results.inprocess);
  }
  if (want('scrape')) {
    results.scrape = await benchScrape(args);
    log(
      'scrape (target ratios <= 0.35, max_block_ms_10k and gzip_max_block_ms_10k <= 5):',
      results.scrape,
    );
  }
  if (want('otlp')) {
    results.otlp = await benchOtlp(args);
    log(
      'otlp (target: each *_max_block_ms_10k no worse than scrape_max_block_ms_10k, about 5):',
      results.otlp,
    );
  }
  if (want('decorator')) {
    results.decorator = await benchDecorator(args);
    log('decorator (target ratio <= 0.2):', results.decorator);
  }
  if (want('labels')) {
    results.labels = await benchLabels(args);
    log('labels (target ratio_vs_fixed <= 1.5; per-call labels over fixed ones):', results.labels);
  }
  if (want('exemplars')) {
    results.exemplars = await benchExemplars(args);
    log('exemplars (target traced_extra_ns <= 150):', results.exemplars);
  }
  if (want('http')) {
    results.http = await benchHttp(args);
    log(
      'http (targets: Fastify cpu_ratio >= 0.97 decorated, routes_cpu_ratio >= 0.95, each within 0.02 of floor_cpu_ratio; Express >= 0.95 or within aa; every peer below ours):',
      results.http,
    );
  }
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
