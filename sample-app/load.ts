import { request } from 'node:http';

/**
 * `npm run sample:load`: a bounded, mixed load against a running sample app on loopback, so the
 * dashboards and the status page have something to show: unary and streamed chat and text
 * completions, a few `sample-fail` requests, a few clients that leave mid-stream and a few
 * invalid requests. It runs for LOAD_SECONDS (default 120: long enough to watch); `--quick` (or
 * LOAD_REQUESTS=N) sends a fixed number of requests instead (300 with `--quick`).
 * SAMPLE_URL (default http://127.0.0.1:3000), LOAD_CONCURRENCY (4).
 * LOAD_FAULTS=true adds two kinds to the mix: a model no worker serves (`sample-unavailable`,
 * 503, `error_type="unavailable"`) and a stream whose first token is late (`sample-stall`,
 * `first_token_timeout` after the sample's SAMPLE_FIRST_TOKEN_TIMEOUT_MS).
 */
const base = new URL(process.env.SAMPLE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`);
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(base.hostname)) {
  throw new Error(`sample:load only targets loopback; SAMPLE_URL=${base.href} is not.`);
}
const quick = process.argv.includes('--quick');
/** A number of requests (`--quick`, LOAD_REQUESTS), or else a duration. */
const total =
  process.env.LOAD_REQUESTS !== undefined
    ? Number(process.env.LOAD_REQUESTS)
    : quick
      ? 300
      : Infinity;
const deadline =
  total === Infinity ? Date.now() + Number(process.env.LOAD_SECONDS ?? 120) * 1000 : Infinity;
const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 4);

type Kind = 'unary' | 'stream' | 'fail' | 'abort' | 'invalid' | 'unavailable' | 'timeout';
const BASE_MIX: Kind[] = [
  'unary',
  'stream',
  'stream',
  'unary',
  'stream',
  'fail',
  'unary',
  'abort',
  'stream',
  'invalid',
];
const MIX: Kind[] =
  process.env.LOAD_FAULTS === 'true' ? [...BASE_MIX, 'unavailable', 'timeout'] : BASE_MIX;
const FAULT_MODELS: Partial<Record<Kind, string>> = {
  fail: 'sample-fail',
  unavailable: 'sample-unavailable',
  timeout: 'sample-stall',
};
const MODELS = ['Llama-3-8B', 'mistral-7b', 'qwen2-7b'];

function send(kind: Kind, i: number): Promise<number> {
  const chat = i % 2 === 0;
  const model = FAULT_MODELS[kind] ?? MODELS[i % MODELS.length]!;
  const body: Record<string, unknown> = chat
    ? { model, messages: [{ role: 'user', content: `request ${i}: tell me something` }] }
    : { model, prompt: `request ${i}: once upon a time` };
  body.stream = kind === 'stream' || kind === 'abort' || kind === 'timeout';
  body.max_tokens = 8 + (i % 24);
  if (kind === 'invalid') delete body.model;
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      new URL(chat ? '/v1/chat/completions' : '/v1/completions', base),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let chunks = 0;
        res.on('data', () => {
          // A client that goes away after the second chunk: counts as an error, frees the backend.
          if (kind === 'abort' && ++chunks === 2) req.destroy();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

async function main() {
  const counts: Record<string, number> = {};
  let next = 0;
  const started = Date.now();
  if (total === Infinity) {
    const seconds = Math.round((deadline - started) / 1000);
    console.log(`sending mixed traffic to ${base.origin} for ${seconds} s (--quick: 300 requests)`);
  }
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && Date.now() < deadline) {
        const i = next++;
        const kind = MIX[i % MIX.length]!;
        const status = await send(kind, i);
        const key = `${kind} -> ${status || 'closed'}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }),
  );
  console.log(
    `sent ${next} requests to ${base.origin} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const [key, n] of Object.entries(counts).sort()) console.log(`  ${key}: ${n}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
