import { execFileSync, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BenchArgs, median, round } from './harness';
import { VARIANTS } from './http-variants';

// autocannon ships no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: object) => Promise<{
  requests: { total: number };
  non2xx: number;
  errors: number;
}>;

const ROUTES = {
  express: ['decorated', 'promclient', 'bundle', 'willsoto'],
  fastify: ['decorated', 'promclient', 'willsoto'],
} as const;

interface BenchServer {
  /** What the server serves, by name: `plain` and the routes or application measured. */
  urls: Record<string, string>;
  /** Microseconds of CPU the server process has used so far. */
  cpu: () => Promise<number>;
  stop: () => void;
}

/** Pins `pid` (all its threads) to one CPU; false where taskset or a second CPU is missing. */
function pin(pid: number, cpu: number): boolean {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function startServer(platform: string, variant?: string): Promise<BenchServer> {
  const child = fork(
    join(__dirname, 'http-server.js'),
    variant ? [platform, variant] : [platform],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { urls: Record<string, string> }) => resolve(m.urls));
    child.once('exit', (code) =>
      reject(new Error(`bench server (${platform}) exited with ${code}`)),
    );
  });
  pin(child.pid!, 1);
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpu: number }) => resolve(m.cpu));
      child.send('cpu');
    });
  return { urls, cpu, stop: () => child.kill() };
}

interface Measured {
  /** Plain CPU per request over the measured one's: median over pairs of rounds. */
  cpu: number;
  /** Requests served over the plain side's, the same way. */
  rps: number;
  /** Median CPU microseconds per request of the measured side, and of the plain side. */
  own: number;
  plain: number;
}
type Compare = (target: string, rounds: number) => Promise<Measured>;

/**
 * Starts two identical server processes (`variant`: see http-server.ts), pinned to one CPU,
 * and gives `run` the side-by-side comparison of `plain` against a target they serve.
 */
async function withServers(
  platform: string,
  variant: string | undefined,
  seconds: number,
  run: (compare: Compare, warmUp: (targets: string[]) => Promise<void>) => Promise<void>,
): Promise<void> {
  const servers = [
    await startServer(platform, variant),
    await startServer(platform, variant),
  ] as const;
  try {
    /** Both servers under load at once; CPU microseconds per request and requests of each. */
    const side = async (targets: readonly [string, string]) => {
      const before = await Promise.all(servers.map((s) => s.cpu()));
      const results = await Promise.all(
        servers.map((s, i) =>
          autocannon({
            url: s.urls[targets[i]!]!,
            connections: 8,
            pipelining: 4,
            duration: seconds,
          }),
        ),
      );
      const after = await Promise.all(servers.map((s) => s.cpu()));
      return results.map((result, i) => {
        if (result.non2xx || result.errors) {
          throw new Error(
            `${platform} ${targets[i]}: ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        }
        return {
          cpu: (after[i]! - before[i]!) / result.requests.total,
          n: result.requests.total,
        };
      });
    };
    /** Rounds of plain beside `target`, swapping servers; per-round ratios. */
    const compare: Compare = async (target, count) => {
      const cpu: number[] = [];
      const rps: number[] = [];
      const own: number[] = [];
      const plain: number[] = [];
      for (let r = 0; r < count; r++) {
        const swap = r % 2 === 1;
        const [a, b] = await side(swap ? [target, 'plain'] : ['plain', target]);
        const [p, x] = swap ? [b!, a!] : [a!, b!];
        cpu.push(p.cpu / x.cpu);
        rps.push(x.n / p.n);
        own.push(x.cpu);
        plain.push(p.cpu);
      }
      // A round and the next (servers swapped) make a pair whose geometric mean cancels any
      // difference between the two processes themselves; the median is over pairs.
      const paired = (ratios: number[]) =>
        median(ratios.flatMap((x, i) => (i % 2 === 1 ? [Math.sqrt(x * ratios[i - 1]!)] : [])));
      return { cpu: paired(cpu), rps: paired(rps), own: median(own), plain: median(plain) };
    };
    const warmUp = async (targets: string[]) => {
      for (const target of targets) await side([target, target]);
    };
    await run(compare, warmUp);
  } finally {
    servers.forEach((s) => s.stop());
  }
}

/**
 * Server CPU per request of a route against the plain route, measured side by side: two
 * identical server processes share one CPU and are loaded at the same time, one on the plain
 * route and one on the route measured (swapped every round). Whatever slows the machine down
 * during a round (a neighbour, frequency, the load generator) slows both alike, which a run
 * after a run cannot promise: on this 2-core VM the same route read 0.72-1.47x itself that way.
 * `cpu_ratio` = plain CPU per request over the route's (median over pairs of rounds, see
 * compare); `ratio` the same for requests served; `aa_cpu_ratio` is plain against plain, the
 * method's own noise.
 *
 * The all-routes rows (`routes`, the `floor`, the peers) compare a plain application with one
 * measured on every route, both served by each process; `apps_aa_cpu_ratio` is that layout's
 * plain against plain.
 */
export async function benchHttp(args: BenchArgs) {
  const seconds = args.quick ? 0.5 : 1;
  const rounds = args.quick ? 2 : 8;
  // The targets (decorated, all routes, and the floor they are held to): more rounds.
  const roundsOf = (route: string) =>
    ['decorated', 'routes', 'floor'].includes(route) ? rounds * 2 : rounds;
  const pinned = pin(process.pid, 0);
  const out: Record<string, Record<string, number | boolean>> = {};
  const wanted = (row: string) => !args.rows || args.rows.includes(row);
  const platforms = (['express', 'fastify'] as const).filter(
    (p) => !args.platforms || args.platforms.includes(p),
  );
  for (const platform of platforms) {
    const row: Record<string, number | boolean> = {};
    const routes = ROUTES[platform].filter(wanted);
    if (routes.length || wanted('aa')) {
      await withServers(platform, undefined, seconds, async (compare, warmUp) => {
        await warmUp(['plain', ...routes]);
        const aa = await compare('plain', rounds);
        for (const route of routes) {
          const m = await compare(route, roundsOf(route));
          const name = route === 'decorated' ? '' : `${route}_`;
          row[`${route}_cpu_us`] = round(m.own, 2);
          row[`${name}ratio`] = round(m.rps);
          row[`${name}cpu_ratio`] = round(m.cpu);
          if (route === 'decorated') row.plain_cpu_us = round(m.plain, 2);
        }
        row.aa_cpu_ratio = round(aa.cpu);
      });
    }
    for (const variant of VARIANTS[platform].filter(wanted)) {
      await withServers(platform, variant, seconds, async (compare, warmUp) => {
        await warmUp(['plain', variant]);
        if (variant === 'routes')
          row.apps_aa_cpu_ratio = round((await compare('plain', rounds)).cpu);
        const m = await compare(variant, roundsOf(variant));
        row[`${variant}_cpu_us`] = round(m.own, 2);
        row[`${variant}_plain_cpu_us`] = round(m.plain, 2);
        row[`${variant}_ratio`] = round(m.rps);
        row[`${variant}_cpu_ratio`] = round(m.cpu);
      });
    }
    row.pinned = pinned;
    out[platform] = row;
  }
  return out;
}
