import { execFileSync, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BenchArgs, median, round } from './harness';

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
  url: string;
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

async function startServer(platform: string): Promise<BenchServer> {
  const child = fork(join(__dirname, 'http-server.js'), [platform], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url.replace('[::1]', '127.0.0.1')));
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
  return { url, cpu, stop: () => child.kill() };
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
 */
export async function benchHttp(args: BenchArgs) {
  const seconds = args.quick ? 0.5 : 1;
  const rounds = args.quick ? 2 : 8;
  // The decorated route's ratio is the target (>= 0.99): more rounds for its median.
  const roundsOf = (route: string) => (route === 'decorated' ? rounds * 2 : rounds);
  const pinned = pin(process.pid, 0);
  const out: Record<string, Record<string, number | boolean>> = {};
  for (const platform of ['express', 'fastify'] as const) {
    const servers = [await startServer(platform), await startServer(platform)] as const;
    try {
      /** Both servers under load at once; CPU microseconds per request and requests of each. */
      const side = async (routes: readonly [string, string]) => {
        const before = await Promise.all(servers.map((s) => s.cpu()));
        const results = await Promise.all(
          servers.map((s, i) =>
            autocannon({
              url: `${s.url}/${routes[i]}`,
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
              `${platform} /${routes[i]}: ${result.non2xx} non-2xx, ${result.errors} errors`,
            );
          }
          return {
            cpu: (after[i]! - before[i]!) / result.requests.total,
            n: result.requests.total,
          };
        });
      };
      /** Rounds of plain beside `route`, swapping servers; per-round ratios. */
      const compare = async (route: string, count: number) => {
        const cpu: number[] = [];
        const rps: number[] = [];
        const own: number[] = [];
        const plain: number[] = [];
        for (let r = 0; r < count; r++) {
          const swap = r % 2 === 1;
          const [a, b] = await side(swap ? [route, 'plain'] : ['plain', route]);
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
      for (const route of ['plain', ...ROUTES[platform]]) await side([route, route]); // warm-up
      const row: Record<string, number | boolean> = {};
      const aa = await compare('plain', rounds);
      for (const route of ROUTES[platform]) {
        const m = await compare(route, roundsOf(route));
        const name = route === 'decorated' ? '' : `${route}_`;
        row[`${route}_cpu_us`] = round(m.own, 2);
        row[`${name}ratio`] = round(m.rps);
        row[`${name}cpu_ratio`] = round(m.cpu);
        if (route === 'decorated') row.plain_cpu_us = round(m.plain, 2);
      }
      row.aa_cpu_ratio = round(aa.cpu);
      row.pinned = pinned;
      out[platform] = row;
    } finally {
      servers.forEach((s) => s.stop());
    }
  }
  return out;
}
