import { fork } from 'node:child_process';
import { join } from 'node:path';
import { BenchArgs, median, round } from './harness';

// autocannon ships no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  opts: object,
) => Promise<{ requests: { average: number; total: number }; non2xx: number; errors: number }>;

const ROUTES = {
  express: ['plain', 'decorated', 'promclient', 'bundle', 'willsoto'],
  fastify: ['plain', 'decorated', 'promclient', 'willsoto'],
} as const;

interface BenchServer {
  url: string;
  /** Microseconds of CPU the server process has used so far. */
  cpu: () => Promise<number>;
  stop: () => void;
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
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpu: number }) => resolve(m.cpu));
      child.send('cpu');
    });
  return { url, cpu, stop: () => child.kill() };
}

/**
 * Throughput of the same handler as a plain route and as a @DynamoEndpoint route (plus the
 * reference instrumentations), alternating routes round by round (in reversed order every other
 * round) in one run. `ratio` = req/s of a route over req/s of the plain route; `cpu_ratio` =
 * server CPU per plain request over server CPU per request of the route, the same quantity
 * measured where a shared 2-core machine disturbs it least. Compare ratios, not absolute numbers.
 */
export async function benchHttp(args: BenchArgs) {
  const seconds = args.quick ? 1 : 2;
  const rounds = args.quick ? 2 : 5;
  // The decorated route's ratio is the target (>= 0.99 within a 1% band): more pairs for its median.
  const roundsOf = (route: string) => (route === 'decorated' ? rounds * 2 + 1 : rounds);
  const out: Record<string, Record<string, number>> = {};
  for (const platform of ['express', 'fastify'] as const) {
    const server = await startServer(platform);
    try {
      const routes = ROUTES[platform];
      /** One autocannon run: requests per second and server CPU microseconds per request. */
      const run = async (route: string) => {
        const before = await server.cpu();
        const result = await autocannon({
          url: `${server.url}/${route}`,
          connections: 16,
          duration: seconds,
        });
        const used = (await server.cpu()) - before;
        if (result.non2xx || result.errors) {
          throw new Error(
            `${platform} /${route}: ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        }
        return { rps: result.requests.total / seconds, cpu: used / result.requests.total };
      };
      for (const route of routes) await run(route); // warm-up
      const row: Record<string, number> = {};
      const plain = { rps: [] as number[], cpu: [] as number[] };
      for (const route of routes.filter((r) => r !== 'plain')) {
        // Each route is paired with a plain run right next to it (order swapped every round),
        // and the ratio taken per pair: drift of the shared machine cancels out.
        const ratios = { rps: [] as number[], cpu: [] as number[] };
        const own = { rps: [] as number[], cpu: [] as number[] };
        for (let r = 0; r < roundsOf(route); r++) {
          const swap = r % 2 === 1;
          const first = await run(swap ? route : 'plain');
          const second = await run(swap ? 'plain' : route);
          const [p, x] = swap ? [second, first] : [first, second];
          ratios.rps.push(x.rps / p.rps);
          ratios.cpu.push(p.cpu / x.cpu);
          own.rps.push(x.rps);
          own.cpu.push(x.cpu);
          plain.rps.push(p.rps);
          plain.cpu.push(p.cpu);
        }
        const name = route === 'decorated' ? '' : `${route}_`;
        row[`${route}_rps`] = round(median(own.rps), 0);
        row[`${route}_cpu_us`] = round(median(own.cpu), 1);
        row[`${name}ratio`] = round(median(ratios.rps));
        row[`${name}cpu_ratio`] = round(median(ratios.cpu));
      }
      row.plain_rps = round(median(plain.rps), 0);
      row.plain_cpu_us = round(median(plain.cpu), 1);
      out[platform] = row;
    } finally {
      server.stop();
    }
  }
  return out;
}
