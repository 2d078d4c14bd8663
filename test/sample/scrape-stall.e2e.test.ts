import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { killOnExit } from '../support/child-process';
import { SampleProcess, startSample } from '../support/sample-process';

/**
 * What a user of an LLM frontend sees: tokens keep streaming while Prometheus scrapes a large
 * /metrics (20,000 extra histogram series, ~32 MB) of the same process in a loop. During each
 * scrape, the largest gap between two streamed chunks must stay far below what that scrape
 * takes: a scrape that held the event loop while rendering would stall the stream for most of
 * it. Judged on the median scrape: on a shared machine the odd scrape meets a preemption of
 * the app that no code of ours causes.
 */

const SERIES = 20_000;
const TOKENS = 1500;
const TOKEN_DELAY_MS = 2;
/** Between two scrapes of the loop (Prometheus waits seconds; the test keeps them coming). */
const PAUSE_MS = 20;

interface StreamTiming {
  /** When every chunk arrived, in ms since the epoch (comparable with the scraper's times). */
  arrivals: number[];
  events: number;
}

/** POSTs a streaming chat completion and notes when each chunk arrives. */
function streamTokens(port: number, onFirstChunk: () => void): Promise<StreamTiming> {
  const payload = Buffer.from(
    JSON.stringify({
      model: 'stall-check',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      max_tokens: TOKENS,
    }),
  );
  return new Promise((resolve, reject) => {
    const arrivals: number[] = [];
    let text = '';
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (arrivals.length === 0) onFirstChunk();
          arrivals.push(performance.timeOrigin + performance.now());
          text += chunk;
        });
        res.on('end', () => resolve({ arrivals, events: text.split('\n\n').length - 1 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`${platform}: a large scrape does not stall a token stream`, () => {
    let sample: SampleProcess;

    before(async () => {
      sample = await startSample({
        platform,
        tokenDelayMs: TOKEN_DELAY_MS,
        env: { SAMPLE_SYNTHETIC_SERIES: String(SERIES) },
        startTimeoutMs: 60_000,
      });
    });

    after(async () => {
      await sample?.stop();
    });

    it('keeps the largest gap between tokens far below the duration of a scrape', async () => {
      // The exposition is as large as intended (and warm).
      const first = await sample.metricsText();
      const synthetic = first.match(/^dynamo_synthetic_latency_seconds_count\{/gm)?.length;
      assert.equal(synthetic, SERIES);

      const scraper = fork(join(__dirname, 'fixtures', 'scrape-loop.js'), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      killOnExit(scraper);
      const timing = await streamTokens(sample.appPort, () =>
        scraper.send({ type: 'start', port: sample.metricsPort, pauseMs: PAUSE_MS }),
      );
      const report = await new Promise<{ scrapes: Array<[number, number]>; error?: string }>(
        (resolve) => {
          scraper.once('message', resolve);
          scraper.send({ type: 'stop' });
        },
      );
      assert.equal(report.error, undefined);

      assert.ok(timing.events >= TOKENS, `${timing.events} SSE events for ${TOKENS} tokens`);
      const arrivals = timing.arrivals;
      const streamEnd = arrivals[arrivals.length - 1]!;
      // Per scrape that ran while tokens streamed: its longest wait for a chunk over its duration.
      const ratios = report.scrapes
        .filter(([, end]) => end < streamEnd)
        .map(([start, end]) => {
          let longest = 0;
          for (let i = 1; i < arrivals.length; i++) {
            // A gap that overlaps the scrape.
            if (arrivals[i]! > start && arrivals[i - 1]! < end) {
              longest = Math.max(longest, arrivals[i]! - arrivals[i - 1]!);
            }
          }
          return { ratio: longest / (end - start), longest, duration: end - start };
        })
        .sort((a, b) => a.ratio - b.ratio);
      assert.ok(ratios.length >= 5, `only ${ratios.length} scrapes during the stream`);
      const median = ratios[ratios.length >> 1]!;
      const summary =
        `${ratios.length} scrapes during the stream; median scrape: longest gap ` +
        `${median.longest.toFixed(1)} ms of ${median.duration.toFixed(1)} ms ` +
        `(ratio ${median.ratio.toFixed(2)}, worst scrape ${ratios[ratios.length - 1]!.ratio.toFixed(2)})`;
      console.log(`# ${platform}: ${summary}`);
      assert.ok(median.ratio < 0.25, summary);
    });
  });
}
