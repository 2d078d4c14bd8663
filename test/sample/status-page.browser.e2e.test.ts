import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { Page } from 'puppeteer-core';
import { childEnv, watchChild } from '../support/child-process';
import { getPath, postJson } from '../support/http-client';
import { poll } from '../support/poll';
import { SampleProcess, SAMPLE_LOAD, startSample, sumOf } from '../support/sample-process';
import { BrowserProblems, launchChromium, watchPage } from '../support/status-page';

/**
 * The status page in a real browser (Debian's chromium, headless, driven by puppeteer-core)
 * against the compiled sample app: known traffic, then the figures the page shows must be the
 * ones /metrics serves (requests and in-flight of backend/generate and per model), every chart
 * must have drawn points, model names that are HTML stay text, and the browser reports no
 * error at all (console, CSP, failed or 4xx/5xx request, dialog).
 *
 * STATUS_PAGE_SCREENSHOT=sample-app/status-page.png also runs the sample's load for a while and saves
 * a screenshot of the page under load (how the README's picture is made).
 */

/** The suite's poller, with the longer patience a browser round trip needs. */
const waitUntil = <T>(
  check: () => Promise<T | undefined | false>,
  what: string | (() => Promise<string>),
): Promise<T> => poll(what, check, { timeoutMs: 10_000, intervalMs: 50 });

const WORKER = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };
const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>'];
const HELD_STREAMS = 3;

type Dataset = { dataset: Record<string, string | undefined> };

/** The text of each field of the row whose data attributes match `row`. */
async function rowOf(
  page: Page,
  table: string,
  match: Record<string, string>,
): Promise<Record<string, string> | undefined> {
  return page.$$eval(
    `${table} tbody tr`,
    (rows, match) => {
      const row = rows.find((r) =>
        Object.entries(match).every(([k, v]) => (r as unknown as Dataset).dataset[k] === v),
      );
      if (!row) return undefined;
      return Object.fromEntries(
        [...row.querySelectorAll('td')].map((td) => [td.dataset.field, td.textContent]),
      );
    },
    match,
  );
}

/** Streaming requests that the sample keeps open (1,000 slow tokens) until `release()`. */
function holdStreams(port: number, n: number): { release: () => void } {
  const requests = Array.from({ length: n }, () => {
    const payload = JSON.stringify({
      model: 'demo',
      messages: [{ role: 'user', content: 'keep going' }],
      stream: true,
      max_tokens: 1000,
    });
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => res.resume());
    req.on('error', () => undefined);
    req.end(payload);
    return req;
  });
  return { release: () => requests.forEach((r) => r.destroy()) };
}

describe('status page in a real browser (sample app)', () => {
  let sample: SampleProcess;
  before(async () => {
    sample = await startSample({ tokenDelayMs: 100 });
  });
  after(async () => {
    await sample?.stop();
  });

  it('shows what /metrics says, draws the charts, keeps HTML model names as text, no errors', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const page = await browser.newPage();
    const problems: BrowserProblems = watchPage(page);
    await page.setViewport({ width: 1280, height: 1000 });
    await page.goto(`http://127.0.0.1:${sample.systemPort}/`, { waitUntil: 'load' });
    // Two polls first, so the traffic below lands inside the page's rate windows.
    const updated = () => page.$eval('#updated', (e) => e.textContent ?? '');
    const first = await waitUntil(
      async () => (await updated()).startsWith('updated') && (await updated()),
      'a first poll',
    );
    await waitUntil(async () => (await updated()) !== first, 'a second poll');

    // Known traffic: 4 short unary requests, one per hostile model name, then held streams.
    const short = (model: string) =>
      postJson(sample.appPort, '/v1/chat/completions', {
        model,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 2,
      });
    for (const model of ['demo', 'demo', 'other', 'other', ...HOSTILE]) {
      assert.equal((await short(model)).status, 200, model);
    }
    const held = holdStreams(sample.appPort, HELD_STREAMS);
    t.after(() => held.release());
    await waitUntil(
      async () =>
        sumOf(await sample.scrape(), 'dynamo_concurrent_requests', WORKER) === HELD_STREAMS,
      'the held streams to be in flight',
    );

    // The page catches up with /metrics; then both say the same, and what was sent.
    const scrape = await sample.scrape();
    const expected = {
      requests: String(sumOf(scrape, 'dynamo_requests_total', WORKER)),
      inflight: String(sumOf(scrape, 'dynamo_concurrent_requests', WORKER)),
    };
    assert.deepEqual(expected, {
      requests: String(6 + HELD_STREAMS),
      inflight: String(HELD_STREAMS),
    });
    const generate = await waitUntil(
      async () => {
        const row = await rowOf(page, '#workers', WORKER);
        return row?.requests === expected.requests && row.inflight === expected.inflight && row;
      },
      async () =>
        `the page to show ${JSON.stringify(expected)}; it shows ${JSON.stringify(await rowOf(page, '#workers', WORKER))}`,
    );
    assert.equal(generate.name, 'dynamo / backend / generate');

    const demo = await waitUntil(async () => {
      const row = await rowOf(page, '#frontend', { model: 'demo' });
      return row?.inflight === String(HELD_STREAMS) && row;
    }, 'the page to show the held streams of model demo');
    const frontend = (name: string, model: string) =>
      String(sumOf(scrape, `nv_llm_http_service_${name}`, { model }));
    assert.equal(demo.requests, frontend('requests_total', 'demo'));
    // The frontend counts a request when it ends (its status is known then): not the held ones.
    assert.equal(demo.requests, '2');
    assert.equal(demo.inflight, frontend('inflight_requests', 'demo'));

    // Model names that are HTML are shown as the very text, and nothing of them was parsed.
    for (const model of HOSTILE) {
      const row = await rowOf(page, '#frontend', { model });
      assert.equal(row?.model, model, `row of ${model}`);
      assert.equal(row?.requests, frontend('requests_total', model));
    }
    assert.equal(await page.$$eval('main script, main img, body img', (e) => e.length), 0);
    const legendText = await page.$$eval('.legend .label', (labels) =>
      labels.map((l) => l.textContent),
    );
    assert.ok(
      legendText.some((l) => l?.startsWith(HOSTILE[0]!)),
      `legends: ${legendText}`,
    );

    // Every chart has drawn points, and the requests/s line is on the canvas in its colour.
    const points = () => page.$$eval('canvas', (cs) => cs.map((c) => Number(c.dataset.points)));
    await waitUntil(
      async () => (await points()).every((n) => n > 0) || false,
      async () => `points in every chart: ${await points()}`,
    );
    assert.equal((await points()).length, 8);
    const coloured = await page.$eval('#workers canvas', (canvas) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      // #4e79a7, the first series' colour
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] === 0x4e && data[i + 1] === 0x79 && data[i + 2] === 0xa7) n++;
      }
      return n;
    });
    assert.ok(coloured > 10, `pixels of the requests/s line: ${coloured}`);

    // Health and uptime from the same server.
    assert.equal(await page.$eval('#health', (e) => e.textContent), 'health: ready');
    assert.match(
      await page.$eval('#uptime', (e) => e.textContent ?? ''),
      /^uptime: \d+(m \d\ds|s)$/,
    );

    // The streams end: both back to zero.
    held.release();
    await waitUntil(async () => {
      const row = await rowOf(page, '#workers', WORKER);
      return (
        row?.inflight === '0' &&
        sumOf(await sample.scrape(), 'dynamo_concurrent_requests', WORKER) === 0
      );
    }, 'in flight back to 0 on the page and in /metrics');
    // The cut streams are counted now, as errors.
    const after = await sample.scrape();
    assert.equal(
      sumOf(after, 'nv_llm_http_service_requests_total', { model: 'demo' }),
      2 + HELD_STREAMS,
    );
    await waitUntil(async () => {
      const row = await rowOf(page, '#frontend', { model: 'demo' });
      return row?.requests === String(2 + HELD_STREAMS) && row.inflight === '0';
    }, 'the page to count the ended streams of model demo');

    assert.deepEqual(problems.list, []);
  });
});

describe('status page opened after a burst (sample app)', () => {
  it("charts the last minutes at once, from the server's history", async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const sample = await startSample({ tokenDelayMs: 0 });
    t.after(() => sample.stop());
    for (let i = 0; i < 20; i++) {
      const res = await postJson(sample.appPort, '/v1/chat/completions', {
        model: 'burst',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 2,
      });
      assert.equal(res.status, 200);
    }
    // The server reads every 2 s: wait for three readings that saw the burst's requests.
    const history = async () =>
      JSON.parse((await getPath(sample.systemPort!, '/status/history')).text) as {
        points: Array<{ workers: Array<{ rate: number | null }> }>;
      };
    // (The first reading has no rate: there is nothing earlier to compare with.)
    const seen = await waitUntil(async () => {
      const { points } = await history();
      const rated = points.filter((p) => p.workers.some((w) => w.rate !== null));
      const busy = rated.filter((p) => p.workers.some((w) => (w.rate ?? 0) > 0));
      return rated.length >= 2 && busy.length >= 1 && rated.length;
    }, 'two history readings with a rate, one of them non-zero');
    const page = await browser.newPage();
    const problems = watchPage(page);
    await page.goto(`http://127.0.0.1:${sample.systemPort}/`, { waitUntil: 'load' });
    await waitUntil(
      async () => (await page.$eval('#updated', (e) => e.textContent ?? '')).startsWith('updated'),
      'a first poll',
    );
    // One poll of its own (no rate yet: nothing earlier on the page), and already the
    // server's readings on the requests/s chart; without them it would have no point at all.
    const points = await page.$eval('#workers canvas', (c) => Number(c.dataset.points));
    assert.ok(points >= seen, `points on the requests/s chart after one poll: ${points}`);
    assert.deepEqual(problems.list, []);
  });
});

/**
 * STATUS_PAGE_SCREENSHOT=<file.png>: the README's picture. A sample with its default token delay
 * under `sample:load` for STATUS_PAGE_SCREENSHOT_SECONDS (default 100), then a full-page
 * screenshot. Registered only when asked for.
 */
const screenshot = process.env.STATUS_PAGE_SCREENSHOT;
if (screenshot) {
  describe('status page screenshot', () => {
    it(`saves ${screenshot} under load`, async (t) => {
      const browser = await launchChromium(t);
      if (!browser) return;
      const sample = await startSample();
      t.after(() => sample.stop());
      const page = await browser.newPage();
      const problems = watchPage(page);
      await page.setViewport({ width: 1280, height: 1000 });
      await page.goto(`http://127.0.0.1:${sample.systemPort}/`, { waitUntil: 'load' });
      const load = watchChild(
        spawn(process.execPath, [SAMPLE_LOAD], {
          env: childEnv({
            SAMPLE_URL: `http://127.0.0.1:${sample.appPort}`,
            LOAD_REQUESTS: '1000000',
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      t.after(() => load.stop());
      const seconds = Number(process.env.STATUS_PAGE_SCREENSHOT_SECONDS ?? 100);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
      assert.deepEqual(problems.list, []);
    });
  });
}
