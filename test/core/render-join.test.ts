import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime } from '../../src/core';

/**
 * Scrapes that arrive while one is rendered share it; a reader that is not a scrape (the status
 * page's history) renders on its own, so a scrape never gets its older render.
 */

function runtimeWithSeries() {
  const rt = new DistributedRuntime({ includeGlobalRegistry: false, maxSeries: 100_000 });
  // Rendered first (families render in creation order), before the render's first yield...
  const hits = rt.namespace('n').createCounter('hits_total', 'Hits');
  // ...and enough series after it that a render takes several slices.
  const wide = rt.namespace('n').createHistogramVec('wide_seconds', 'Wide', ['k']);
  for (let i = 0; i < 5000; i++) wide.labels(String(i)).observe(0.1);
  return { rt, hits };
}

const hitsIn = (parts: readonly Buffer[]) =>
  Number(/^dynamo_hits_total\{namespace="n"\} (\d+)$/m.exec(Buffer.concat(parts).toString())![1]);

describe('leaseExposition: joining a render in progress', () => {
  it('a scrape during another scrape shares its render', async () => {
    const { rt, hits } = runtimeWithSeries();
    hits.inc();
    const first = rt.leaseExposition();
    hits.inc();
    const second = rt.leaseExposition();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.parts, b.parts, 'one render for both');
    // The price of sharing: the second scrape reads what the first one's render read.
    assert.equal(hitsIn(b.parts), 1);
    a.release();
    b.release();
  });

  it('join: false neither joins nor is joined: a scrape after it sees what happened since', async () => {
    const { rt, hits } = runtimeWithSeries();
    hits.inc();
    const own = rt.leaseExposition(undefined, { join: false });
    hits.inc();
    const scrape = rt.leaseExposition();
    const [a, b] = await Promise.all([own, scrape]);
    assert.notEqual(a.parts, b.parts);
    assert.equal(hitsIn(a.parts), 1);
    assert.equal(hitsIn(b.parts), 2);
    a.release();
    b.release();
  });
});
