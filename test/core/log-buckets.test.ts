import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  COMPONENT_NAMING,
  DistributedRuntime,
  generateLogBuckets,
  isValidLogBucketSpec,
  LogBucketSpec,
} from '../../src/internal';

/**
 * Dynamo's `generate_log_buckets`: the defaults of today's frontend, the README's acceptance
 * example, and a cross-check against the same steps in Python, whose math (glibc's exp, log,
 * log10 and a correctly rounded pow) is what Dynamo's Rust build calls.
 */

const text = (b: readonly number[]) => b.map(String).join(', ');

describe('generateLogBuckets (Dynamo lib/llm/src/http/service/metrics.rs)', () => {
  it("gives today's Dynamo defaults, printed as Dynamo prints them", () => {
    const b = COMPONENT_NAMING.frontend.buckets;
    assert.equal(text(b.requestDuration), '0, 2, 4, 8, 16, 32, 64, 130, 260, 510');
    assert.equal(
      text(b.inputSequence),
      '0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000',
    );
    assert.equal(text(b.outputSequence), '0, 100, 210, 430, 880, 1800, 3700, 7600, 16000, 32000');
    assert.equal(
      text(b.timeToFirstToken),
      '0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48, 100, 220, 480',
    );
    assert.equal(
      text(b.interTokenLatency),
      '0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3, 0.56, 1.1, 2',
    );
  });

  it('min 0.01, max 10, count 5 gives 0, 0.056, 0.32, 1.8, 10', () => {
    assert.equal(
      text(generateLogBuckets({ min: 0.01, max: 10, count: 5 })),
      '0, 0.056, 0.32, 1.8, 10',
    );
  });

  it('count 1 is [0]; duplicates from rounding are dropped', () => {
    assert.deepEqual(generateLogBuckets({ min: 1, max: 2, count: 1 }), [0]);
    // 1..1.1 in 20 steps rounds to only 1 and 1.1.
    assert.deepEqual(generateLogBuckets({ min: 1, max: 1.1, count: 20 }), [0, 1, 1.1]);
  });

  it('the exposition prints the bounds short (le="0.0022", le="130000")', async () => {
    const runtime = new DistributedRuntime({ naming: 'component' });
    const h = runtime.createHistogram(
      'x',
      'x',
      {},
      COMPONENT_NAMING.frontend.buckets.inputSequence,
    );
    h.observe(1);
    const out = await runtime.prometheusMetricsFmt();
    assert.match(out, /_bucket\{le="130000"\} 1\n/);
    assert.doesNotMatch(out, /le="[0-9.]*0000000|le="[0-9.]*9999999/);
  });

  it('validity as Dynamo checks it: finite, 0 < min < max, 1 <= count <= 512', () => {
    const ok = (s: LogBucketSpec) => isValidLogBucketSpec(s);
    assert.equal(ok({ min: 0.001, max: 480, count: 18 }), true);
    assert.equal(ok({ min: 1, max: 2, count: 512 }), true);
    for (const bad of [
      { min: 0, max: 1, count: 5 },
      { min: -1, max: 1, count: 5 },
      { min: 2, max: 2, count: 5 },
      { min: 3, max: 2, count: 5 },
      { min: 1, max: Infinity, count: 5 },
      { min: 1, max: 2, count: 0 },
      { min: 1, max: 2, count: 513 },
      { min: 1, max: 2, count: 2.5 },
    ]) {
      assert.equal(ok(bad), false, JSON.stringify(bad));
    }
  });

  it('matches the same steps in Python (glibc math, as Dynamo) for 300 random specs', () => {
    const specs: LogBucketSpec[] = [];
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const min = 10 ** (rand() * 8 - 4);
      specs.push({ min, max: min * 10 ** (0.2 + rand() * 6), count: 2 + Math.floor(rand() * 40) });
    }
    const script = [
      'import json, math, sys',
      'def r2(v):',
      '    m = math.floor(math.log10(abs(v))); s = math.pow(10, 1 - m)',
      '    x = v * s; return math.floor(x + 0.5) / s',
      'out = []',
      'for s in json.load(sys.stdin):',
      '    a, b, c = s["min"], s["max"], s["count"]',
      '    v = [0.0] + [r2(math.exp(math.log(a) + (math.log(b) - math.log(a)) * i / (c - 1))) for i in range(1, c)]',
      '    out.append([x for i, x in enumerate(v) if i == 0 or x != v[i - 1]])',
      'print(json.dumps(out))',
    ].join('\n');
    const python = JSON.parse(
      execFileSync('python3', ['-c', script], { input: JSON.stringify(specs), encoding: 'utf8' }),
    ) as number[][];
    specs.forEach((spec, i) =>
      assert.deepEqual(generateLogBuckets(spec), python[i], JSON.stringify(spec)),
    );
  });
});
