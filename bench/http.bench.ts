import { fork } from 'node:child_process';
import { join } from 'node:path';
import { alternate, BenchArgs, round } from './harness';

// autocannon ships no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: object) => Promise<{ requests: { average: number }; non2xx: number; errors: number }>;

const ROUTES = {
  express: ['plain', 'decorated', 'promclient', 'bundle', 'willsoto'],
  fastify: ['plain', 'decorated', 'promclient', 'willsoto'],
} as const;

async function startServer(platform: string): Promise<{ url: string; stop: () => void }> {
  const child = fork(join(__dirname, 'http-server.js'), [platform], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url.replace('[::1]', '127.0.0.1')));
    child.once('exit', (code) => reject(new Error(`bench server (${platform}) exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

/**
 * Throughput of the same handler as a plain route and as a @DynamoEndpoint route (plus the
 * reference instrumentations), alternating routes round by round in one run; ratio = req/s of a
 * route over req/s of the plain route. The server runs in its own process; on 2 cores it still
 * shares the CPU with autocannon, so compare ratios, not absolute numbers.
 */
export async function benchHttp(args: BenchArgs) {
  const seconds = args.quick ? 1 : 3;
  const rounds = args.quick ? 3 : 5;
  const out: Record<string, Record<string, number>> = {};
  for (const platform of ['express', 'fastify'] as const) {
    const server = await startServer(platform);
    try {
      const run = (route: string) => async () => {
        const result = await autocannon({ url: `${server.url}/${route}`, connections: 16, duration: seconds });
        if (result.non2xx || result.errors) throw new Error(`${platform} /${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        return result.requests.average;
      };
      await run('plain')(); // warm-up
      const variants = Object.fromEntries(ROUTES[platform].map((r) => [r, run(r)])) as Record<string, () => Promise<number>>;
      const rps = await alternate(rounds, variants);
      const row: Record<string, number> = { plain_rps: round(rps.plain!, 0) };
      for (const route of ROUTES[platform]) {
        if (route === 'plain') continue;
        row[`${route}_rps`] = round(rps[route]!, 0);
        row[route === 'decorated' ? 'ratio' : `${route}_ratio`] = round(rps[route]! / rps.plain!);
      }
      out[platform] = row;
    } finally {
      server.stop();
    }
  }
  return out;
}
