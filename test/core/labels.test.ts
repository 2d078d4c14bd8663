import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime, OPENMETRICS_CONTENT_TYPE } from '../../src/internal';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

/**
 * Parses one exposition sample line, unescaping label values the way Prometheus does
 * (`\\` -> `\`, `\"` -> `"`, `\n` -> newline; any other escape is an error).
 */
function parseSample(line: string): ParsedSample {
  let i = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  assert.ok(nameMatch, `no metric name in ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      assert.ok(labelMatch, `bad label at ${i} in ${JSON.stringify(line)}`);
      i += labelMatch[0].length;
      let value = '';
      for (;;) {
        const ch = line[i++];
        assert.ok(ch !== undefined, `unterminated label value in ${JSON.stringify(line)}`);
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = line[i++];
          if (esc === '\\') value += '\\';
          else if (esc === '"') value += '"';
          else if (esc === 'n') value += '\n';
          else assert.fail(`invalid escape \\${String(esc)} in ${JSON.stringify(line)}`);
        } else {
          value += ch;
        }
      }
      assert.ok(!Object.hasOwn(labels, labelMatch[1]!), `label ${labelMatch[1]} repeated`);
      labels[labelMatch[1]!] = value;
      if (line[i] === ',') i++;
    }
    i++;
  }
  assert.equal(line[i], ' ', `expected a space before the value in ${JSON.stringify(line)}`);
  return { name, labels, value: line.slice(i + 1) };
}

/** All sample lines (not comments, not blank) of an exposition text, parsed. */
function samples(text: string): ParsedSample[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(parseSample);
}

const TRICKY_VALUES: readonly string[] = [
  'say "hi"',
  'C:\\path\\to\\file',
  'ends with a backslash \\',
  'line1\nline2\n',
  'backslash-n \\n is not a newline',
  '\\"',
  'a,b=c,d',
  '}{ braces ,"= all',
  'tab\there',
  'ünïcödé 日本語 🎉 Ωμέγα',
  '',
  '   ',
];

describe('label values round-trip exactly through the exposition', () => {
  for (const format of ['text', 'OpenMetrics'] as const) {
    it(`variable and constant label values with quotes, backslashes, newlines, commas and UTF-8 (${format})`, async () => {
      const runtime = new DistributedRuntime();
      const ep = runtime.namespace('n').component('c').endpoint('e');
      const vec = ep.createCounterVec('escape_total', 'Escaping', ['value', 'index'], {
        note: 'const "quoted" \\ back\nslash',
      });
      TRICKY_VALUES.forEach((value, index) => vec.labels(value, index).inc(index + 1));

      const out = await runtime.prometheusMetricsFmt(
        format === 'text' ? undefined : OPENMETRICS_CONTENT_TYPE,
      );
      const parsed = samples(out);
      // One physical line per series: no value broke a line.
      assert.equal(parsed.length, TRICKY_VALUES.length);
      parsed.forEach((sample, index) => {
        assert.equal(sample.name, 'dynamo_escape_total');
        assert.deepEqual(sample.labels, {
          namespace: 'n',
          component: 'c',
          endpoint: 'e',
          note: 'const "quoted" \\ back\nslash',
          value: TRICKY_VALUES[index],
          index: String(index),
        });
        assert.equal(sample.value, String(index + 1));
      });
    });
  }

  it('escapes exactly as the text format specifies (spot check of the raw line)', async () => {
    const runtime = new DistributedRuntime();
    runtime.createGaugeVec('raw', 'Raw', ['v']).labels('a"b\\c\nd').set(1);
    assert.match(await runtime.prometheusMetricsFmt(), /^dynamo_raw\{v="a\\"b\\\\c\\nd"\} 1$/m);
  });

  it('numbers are accepted as label values and equal their string form', () => {
    const vec = new DistributedRuntime().createCounterVec('num_total', 'Numbers', ['shard']);
    assert.equal(vec.labels(3), vec.labels('3'));
    assert.equal(vec.labels({ shard: 1.5 }), vec.labels('1.5'));
    assert.deepEqual(vec.labels(3).labels, { shard: '3' });
  });

  it('positional and object forms address the same series', () => {
    const vec = new DistributedRuntime().createCounterVec('pos_total', 'Pos', ['model', 'status']);
    const s = vec.labels('llama', 'ok');
    assert.equal(vec.labels({ status: 'ok', model: 'llama' }), s);
    assert.notEqual(vec.labels('ok', 'llama'), s);
    assert.deepEqual(s.labels, { model: 'llama', status: 'ok' });
  });
});

describe('distinct label sets never collapse into one series', () => {
  it('values whose comma-joined forms are equal stay separate series with their own counts', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('pairs_total', 'Pairs', ['a', 'b']);
    // Equal when joined with ',' ('1,2,3') ...
    const s1 = vec.labels({ a: '1,2', b: '3' });
    const s2 = vec.labels({ a: '1', b: '2,3' });
    // ... and equal under prom-client 15's key `a:<a>,b:<b>,` ('a:1,b:2,b:x,').
    const s3 = vec.labels({ a: '1,b:2', b: 'x' });
    const s4 = vec.labels({ a: '1', b: '2,b:x' });
    s1.inc(1);
    s2.inc(4);
    s3.inc(10);
    s4.inc(20);
    assert.equal(new Set([s1, s2, s3, s4]).size, 4);
    assert.deepEqual(
      [s1, s2, s3, s4].map((s) => s.get()),
      [1, 4, 10, 20],
    );
    // Positional forms find the same series again.
    assert.equal(vec.labels('1,2', '3'), s1);
    assert.equal(vec.labels('1', '2,3'), s2);

    const parsed = samples(await runtime.prometheusMetricsFmt());
    assert.deepEqual(
      parsed.map((s) => [s.labels, s.value]),
      [
        [{ a: '1,2', b: '3' }, '1'],
        [{ a: '1', b: '2,3' }, '4'],
        [{ a: '1,b:2', b: 'x' }, '10'],
        [{ a: '1', b: '2,b:x' }, '20'],
      ],
    );
  });

  it('the empty string and a missing-looking value are different series', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createGaugeVec('empty', 'Empty', ['a', 'b']);
    vec.labels('', 'x').set(1);
    vec.labels('x', '').set(2);
    vec.labels('', '').set(3);
    assert.deepEqual(
      samples(await runtime.prometheusMetricsFmt()).map((s) => s.value),
      ['1', '2', '3'],
    );
  });

  it('a plain metric joining a vec’s family keeps each label value on its own label name', async () => {
    const runtime = new DistributedRuntime();
    runtime.createCounterVec('mix_total', 'Mix', ['b', 'a']).labels({ a: 'A1', b: 'B1' }).inc();
    const plain = runtime.createCounter('mix_total', 'Mix', { a: 'A2', b: 'B2' });
    plain.inc(5);
    assert.deepEqual(plain.labels, { b: 'B2', a: 'A2' });
    assert.deepEqual(
      samples(await runtime.prometheusMetricsFmt()).map((s) => [s.labels, s.value]),
      [
        [{ b: 'B1', a: 'A1' }, '1'],
        [{ b: 'B2', a: 'A2' }, '5'],
      ],
    );
  });

  it('variable labels named like Object.prototype members ("constructor", "toString") keep their values', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('proto_total', 'Proto', ['constructor', 'toString']);
    vec.labels('a', 'b').inc();
    vec.labels({ constructor: 'c', toString: 'd' }).inc(2);
    assert.deepEqual(
      samples(await runtime.prometheusMetricsFmt()).map((s) => [s.labels, s.value]),
      [
        [{ constructor: 'a', toString: 'b' }, '1'],
        [{ constructor: 'c', toString: 'd' }, '2'],
      ],
    );
  });
});

describe('remove() and reset()', () => {
  it('remove() forgets one series; using the values again starts a fresh one', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('rm_total', 'Remove', ['a', 'b']);
    const s1 = vec.labels({ a: '1,2', b: '3' });
    const s2 = vec.labels({ a: '1', b: '2,3' });
    s1.inc(1);
    s2.inc(4);

    assert.equal(vec.remove({ a: '1,2', b: '3' }), true);
    assert.equal(vec.remove('1,2', '3'), false, 'already gone');
    assert.equal(vec.remove('never', 'seen'), false);
    assert.deepEqual(
      samples(await runtime.prometheusMetricsFmt()).map((s) => [s.labels, s.value]),
      [[{ a: '1', b: '2,3' }, '4']],
    );

    const again = vec.labels('1,2', '3');
    assert.notEqual(again, s1);
    assert.equal(again.get(), 0);
    assert.equal(vec.labels('1', '2,3'), s2, 'the other series is untouched');
    assert.deepEqual(
      samples(await runtime.prometheusMetricsFmt()).map((s) => [s.labels, s.value]),
      [
        [{ a: '1', b: '2,3' }, '4'],
        [{ a: '1,2', b: '3' }, '0'],
      ],
    );
  });

  it('remove() of the last series leaves the family empty', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('n').component('c').endpoint('e');
    const vec = ep.createHistogramVec('rm_seconds', 'Remove', ['model'], {}, [1]);
    vec.labels('m').observe(0.5);
    assert.equal(vec.remove('m'), true);
    assert.equal(await ep.prometheusMetricsFmt(), '');
    assert.doesNotMatch(await runtime.prometheusMetricsFmt(), /^dynamo_rm_seconds_/m);
  });

  it('vec.reset() zeroes every series of that vec, which stay exported', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createHistogramVec('rs_seconds', 'Reset', ['model'], {}, [1]);
    vec.labels('a').observe(0.5);
    vec.labels('b').observe(2);
    vec.reset();
    assert.deepEqual(vec.labels('a').get(), { buckets: { '1': 0, '+Inf': 0 }, count: 0, sum: 0 });
    const values = samples(await runtime.prometheusMetricsFmt()).map((s) => s.value);
    assert.equal(values.length, 8, 'two series x (2 buckets + sum + count)');
    assert.ok(values.every((v) => v === '0'));
  });

  it('vec.reset() at one endpoint leaves the same family at a sibling endpoint alone', () => {
    const comp = new DistributedRuntime().namespace('n').component('c');
    const a = comp.endpoint('a').createCounterVec('calls_total', 'Calls', ['kind']);
    const b = comp.endpoint('b').createCounterVec('calls_total', 'Calls', ['kind']);
    a.labels('x').inc(3);
    b.labels('x').inc(5);
    a.reset();
    assert.equal(a.labels('x').get(), 0);
    assert.equal(b.labels('x').get(), 5);
  });

  it('series.reset() on each metric type', () => {
    const runtime = new DistributedRuntime();
    const c = runtime.createCounter('c_total', 'C');
    const g = runtime.createGauge('g', 'G');
    const h = runtime.createHistogram('h_seconds', 'H', {}, [1, 2]);
    c.inc(2);
    g.set(-4);
    h.observe(1.5);
    assert.deepEqual(h.get(), { buckets: { '1': 0, '2': 1, '+Inf': 1 }, count: 1, sum: 1.5 });
    for (const s of [c, g, h]) s.reset();
    assert.equal(c.get(), 0);
    assert.equal(g.get(), 0);
    assert.deepEqual(h.get(), { buckets: { '1': 0, '2': 0, '+Inf': 0 }, count: 0, sum: 0 });
  });
});
