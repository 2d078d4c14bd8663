/** Small timing helpers shared by the benchmarks. Ratios come from one run, never across runs. */

export interface BenchArgs {
  quick: boolean;
  json: boolean;
  only?: string[];
  /** `--rows=routes,floor`: the HTTP rows to measure (default all). */
  rows?: string[];
  /** `--platforms=fastify`: the HTTP adapters to measure (default both). */
  platforms?: string[];
}

export function parseArgs(argv: string[]): BenchArgs {
  const list = (name: string) =>
    argv
      .find((a) => a.startsWith(`--${name}=`))
      ?.slice(`--${name}=`.length)
      .split(',');
  return {
    quick: argv.includes('--quick'),
    json: argv.includes('--json'),
    only: list('only'),
    rows: list('rows'),
    platforms: list('platforms'),
  };
}

/** Nanoseconds per iteration of `fn`, the best of `rounds` rounds (best = least disturbed). */
export function nsPerOp(
  fn: (iterations: number) => void,
  iterations: number,
  rounds: number,
): number {
  fn(Math.min(iterations, 10_000)); // warm-up, lets the JIT settle
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn(iterations);
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    if (ns < best) best = ns;
  }
  return best;
}

/** Like nsPerOp, for async work: `fn` runs `iterations` awaited calls. */
export async function nsPerOpAsync(
  fn: (iterations: number) => Promise<void>,
  iterations: number,
  rounds: number,
): Promise<number> {
  await fn(Math.min(iterations, 10_000));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    await fn(iterations);
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    if (ns < best) best = ns;
  }
  return best;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));
