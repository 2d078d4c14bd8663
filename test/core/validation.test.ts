import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConstLabels,
  DistributedRuntime,
  DynamoMetricsError,
  MetricsLevel,
  sanitizeHierarchyName,
} from '../../src/internal';

/** Asserts that `fn` throws a DynamoMetricsError whose message matches every pattern. */
function expectError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      err instanceof DynamoMetricsError,
      `expected a DynamoMetricsError, got ${String(err)}`,
    );
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'DynamoMetricsError');
    for (const pattern of patterns) assert.match(err.message, pattern);
    return true;
  });
}

/**
 * One level of each kind, each in a runtime of its own (the same name at two depths of one
 * runtime is a conflict by design), for "at every level" checks.
 */
function levels(): Array<[string, MetricsLevel]> {
  const ns = () => new DistributedRuntime().namespace('ns');
  return [
    ['runtime', new DistributedRuntime()],
    ['namespace', ns()],
    ['component', ns().component('comp')],
    ['endpoint', ns().component('comp').endpoint('ep')],
  ];
}

describe('label validation', () => {
  for (const reserved of ['namespace', 'component', 'endpoint']) {
    it(`refuses the automatic label "${reserved}" as a constant or variable label at every level`, () => {
      for (const [, level] of levels()) {
        const patterns = [
          /^Metric "dynamo_x_total": /,
          new RegExp(`label "${reserved}" is reserved`),
          /"namespace", "component" and "endpoint" are added automatically/,
        ];
        expectError(() => level.createCounter('x_total', 'help', { [reserved]: 'v' }), ...patterns);
        expectError(() => level.createCounterVec('x_total', 'help', [reserved]), ...patterns);
        expectError(
          () => level.createGaugeVec('x_total', 'help', ['model', reserved]),
          ...patterns,
        );
        expectError(
          () => level.createHistogram('x_total', 'help', { [reserved]: 'v' }, [1]),
          ...patterns,
        );
      }
    });
  }

  it('refuses a label key given both as constant and variable label, or twice', () => {
    const runtime = new DistributedRuntime();
    expectError(
      () => runtime.createCounterVec('dup_total', 'help', ['model'], { model: 'llama' }),
      /^Metric "dynamo_dup_total": label "model" is given more than once/,
      /each label name may appear once across constant and variable labels/,
    );
    expectError(
      () => runtime.createGaugeVec('dup', 'help', ['model', 'model']),
      /^Metric "dynamo_dup": label "model" is given more than once/,
    );
  });

  for (const bad of ['1abc', 'a-b', '__x', '', 'a b', 'é']) {
    it(`refuses the invalid label name ${JSON.stringify(bad)} (constant and variable)`, () => {
      const runtime = new DistributedRuntime();
      const patterns = [
        /^Metric "dynamo_x_total": /,
        new RegExp(`invalid label name ${JSON.stringify(bad)}`),
        /must match \[a-zA-Z_\]\[a-zA-Z0-9_\]\* and must not start with "__"/,
      ];
      expectError(() => runtime.createCounter('x_total', 'help', { [bad]: 'v' }), ...patterns);
      expectError(() => runtime.createCounterVec('x_total', 'help', [bad]), ...patterns);
    });
  }

  it('refuses "le" on a histogram, constant or variable', () => {
    const ep = new DistributedRuntime().namespace('n').component('c').endpoint('e');
    const pattern =
      /^Metric "dynamo_h_seconds": a histogram cannot use the label "le"; Prometheus reserves it for bucket bounds/;
    expectError(() => ep.createHistogramVec('h_seconds', 'help', ['le']), pattern);
    expectError(() => ep.createHistogram('h_seconds', 'help', { le: '1' }), pattern);
  });

  it('refuses constant label values that are not strings or numbers, and non-object constant labels', () => {
    const runtime = new DistributedRuntime();
    expectError(
      () => runtime.createGauge('g', 'help', { flag: true } as unknown as ConstLabels),
      /^Metric "dynamo_g": constant label "flag" has value true of type boolean; label values must be strings/,
    );
    expectError(
      () => runtime.createGauge('g', 'help', 'eu' as unknown as ConstLabels),
      /^Metric "dynamo_g": constant labels must be a plain object such as \{ region: "eu" \}, got string/,
    );
  });

  it('refuses variable label names that are not a non-empty array of strings', () => {
    const runtime = new DistributedRuntime();
    for (const bad of [[], 'model', [1]] as unknown as string[][]) {
      expectError(
        () => runtime.createCounterVec('v_total', 'help', bad),
        /^Metric "dynamo_v_total": variable label names must be a non-empty array of strings such as \["model"\]/,
      );
    }
  });
});

describe('name, help and argument validation', () => {
  it('refuses an empty or blank help text', () => {
    for (const [, level] of levels()) {
      for (const help of ['', '   ']) {
        expectError(
          () => level.createCounter('x_total', help),
          /^Metric "dynamo_x_total": help text is empty; give a short description/,
        );
        expectError(
          () => level.createHistogramVec('x_seconds', help, ['model']),
          /^Metric "dynamo_x_seconds": help text is empty/,
        );
      }
    }
  });

  for (const bad of ['my-metric', '1x', '', 'a.b', 'x y']) {
    it(`refuses the invalid metric name ${JSON.stringify(bad)}`, () => {
      const runtime = new DistributedRuntime();
      const patterns = [
        new RegExp(`^Invalid metric name ${JSON.stringify(bad).replace('.', '\\.')}: `),
        /must match \[a-zA-Z_:\]\[a-zA-Z0-9_:\]\*/,
      ];
      expectError(() => runtime.createCounter(bad, 'help'), ...patterns);
      expectError(() => runtime.createGaugeVec(bad, 'help', ['model']), ...patterns);
      expectError(() => runtime.namespace('n').createHistogram(bad, 'help'), ...patterns);
    });
  }

  for (const bad of ['my-prefix', '1abc', 'dynamo frontend']) {
    it(`refuses the invalid prefix ${JSON.stringify(bad)}`, () => {
      expectError(
        () => new DistributedRuntime({ prefix: bad }),
        new RegExp(
          `^Invalid metric prefix ${JSON.stringify(bad)}: use '' \\(no prefix\\) or a name matching`,
        ),
      );
    });
  }

  it('refuses buckets (or any extra argument) passed to a counter or gauge factory', () => {
    const runtime = new DistributedRuntime();
    expectError(
      () => runtime.createCounter('c_total', 'help', {}, [0.1, 1]),
      /^Metric "dynamo_c_total": createCounter\(\) does not take buckets or further arguments; use createHistogram\(\) or createHistogramVec\(\) for bucketed metrics/,
    );
    expectError(
      () => runtime.createIntGauge('g', 'help', undefined, [1]),
      /createIntGauge\(\) does not take buckets/,
    );
    expectError(
      () => runtime.createCounterVec('c_total', 'help', ['model'], {}, [0.1, 1]),
      /createCounterVec\(\) does not take buckets/,
    );
    expectError(
      () => runtime.createHistogram('h_seconds', 'help', {}, [1], 'extra'),
      /^Metric "dynamo_h_seconds": createHistogram\(\) does not take arguments after the buckets/,
    );
  });

  it('an array given as constant labels suggests the Vec factory', () => {
    const runtime = new DistributedRuntime();
    const asLabels = (names: string[]) => names as unknown as ConstLabels;
    expectError(
      () => runtime.createCounter('c_total', 'help', asLabels(['model'])),
      /^Metric "dynamo_c_total": createCounter\(\) does not take variable label names; use createCounterVec\(\) for metrics with variable labels/,
    );
    expectError(
      () => runtime.createIntGauge('g', 'help', asLabels(['model'])),
      /createIntGauge\(\) does not take variable label names; use createIntGaugeVec\(\)/,
    );
    expectError(
      () => runtime.createHistogram('h_seconds', 'help', asLabels(['model'])),
      /createHistogram\(\) does not take variable label names; use createHistogramVec\(\)/,
    );
  });

  const badBuckets: Array<[string, number[]]> = [
    ['unsorted', [1, 0.5, 2]],
    ['repeated', [1, 1]],
    ['empty', []],
    ['NaN', [0.1, NaN]],
    ['only +Inf', [Infinity]],
  ];
  for (const [what, buckets] of badBuckets) {
    it(`refuses ${what} buckets`, () => {
      const runtime = new DistributedRuntime();
      const pattern =
        /^Metric "dynamo_h_seconds": buckets must be a non-empty array of finite numbers in strictly increasing order \(\+Inf is added automatically\), got /;
      expectError(() => runtime.createHistogram('h_seconds', 'help', {}, buckets), pattern);
      expectError(
        () => runtime.createHistogramVec('h_seconds', 'help', ['m'], {}, buckets),
        pattern,
      );
    });
  }

  it('accepts buckets ending in +Inf and treats them like the same buckets without it', () => {
    const runtime = new DistributedRuntime();
    const a = runtime.createHistogram('h_seconds', 'help', {}, [0.5, 1]);
    const b = runtime.createHistogram('h_seconds', 'help', {}, [0.5, 1, Infinity]);
    assert.equal(a, b);
  });

  it('refuses empty namespace, component and endpoint names', () => {
    const runtime = new DistributedRuntime();
    expectError(() => runtime.namespace(''), /^Invalid namespace name "": give a non-empty string/);
    expectError(
      () => runtime.namespace('n').component(''),
      /^Invalid component name "": give a non-empty string/,
    );
    expectError(
      () => runtime.namespace('n').component('c').endpoint(''),
      /^Invalid endpoint name "": give a non-empty string \(characters outside \[a-zA-Z0-9_\] are replaced by "_"\)/,
    );
  });
});

describe('conflicting definitions', () => {
  it('the same name with a different type names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createCounter('thing_total', 'Things');
    expectError(
      () => runtime.createGauge('thing_total', 'Things'),
      /^Metric "dynamo_thing_total" is already defined as counter\(help="Things", labels=\[\]\); cannot define it again as gauge\(help="Things", labels=\[\]\)/,
    );
    expectError(
      () => runtime.createIntCounter('thing_total', 'Things'),
      /already defined as counter\(.*\); cannot define it again as integer counter\(/,
    );
  });

  it('the same name with a different help names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createGaugeVec('load', 'Load', ['gpu']);
    expectError(
      () => runtime.createGaugeVec('load', 'Current load', ['gpu']),
      /already defined as gauge\(help="Load", labels=\[gpu\]\); cannot define it again as gauge\(help="Current load", labels=\[gpu\]\)/,
    );
  });

  it('the same name with different label names names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createCounterVec('req_total', 'Requests', ['model']);
    expectError(
      () => runtime.createCounterVec('req_total', 'Requests', ['model', 'status']),
      /already defined as counter\(help="Requests", labels=\[model\]\); cannot define it again as counter\(help="Requests", labels=\[model,status\]\)/,
    );
    expectError(
      () => runtime.createCounter('req_total', 'Requests'),
      /labels=\[model\]\); cannot define it again as counter\(help="Requests", labels=\[\]\)/,
    );
    // A metric created at two levels of different depth has different (automatic) label names.
    runtime.namespace('n').createCounter('deep_total', 'Deep');
    expectError(
      () => runtime.namespace('n').component('c').createCounter('deep_total', 'Deep'),
      /labels=\[namespace\]\); cannot define it again as counter\(help="Deep", labels=\[component,namespace\]\)/,
    );
  });

  it('the same name with different buckets names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createHistogram('lat_seconds', 'Latency', {}, [0.1, 1]);
    expectError(
      () => runtime.createHistogram('lat_seconds', 'Latency', {}, [0.1, 2]),
      /already defined as histogram\(help="Latency", labels=\[\], buckets=\[0\.1,1\]\); cannot define it again as histogram\(help="Latency", labels=\[\], buckets=\[0\.1,2\]\)/,
    );
    expectError(
      () => runtime.createHistogram('lat_seconds', 'Latency'),
      /buckets=\[0\.1,1\]\); cannot define it again as histogram\(.*buckets=\[0\.005,0\.01,/,
    );
  });

  it('a conflict is detected on a repeated vec creation too (help differs)', () => {
    const runtime = new DistributedRuntime();
    runtime.createHistogramVec('ttft_seconds', 'TTFT', ['model'], {}, [1, 2]);
    expectError(
      () =>
        runtime.createHistogramVec('ttft_seconds', 'Time to first token', ['model'], {}, [1, 2]),
      /already defined as histogram\(help="TTFT"/,
    );
    expectError(
      () => runtime.createHistogramVec('ttft_seconds', 'TTFT', ['model'], {}, [1, 3]),
      /buckets=\[1,2\]\); cannot define it again as histogram\(.*buckets=\[1,3\]\)/,
    );
  });
});

describe('value validation on bound series', () => {
  it('an int counter refuses 1.5; an int gauge refuses 2.5', () => {
    const runtime = new DistributedRuntime();
    const c = runtime.createIntCounter('n_total', 'help');
    expectError(
      () => c.inc(1.5),
      /^Metric "dynamo_n_total": inc\(\) of an integer metric takes a whole number, got 1\.5/,
    );
    const g = runtime.createIntGaugeVec('slots', 'help', ['pool']).labels('a');
    expectError(
      () => g.set(2.5),
      /^Metric "dynamo_slots": set\(\) of an integer metric takes a whole number, got 2\.5/,
    );
    expectError(() => g.inc(0.5), /inc\(\) of an integer metric/);
    c.inc(2);
    g.set(-3);
    assert.equal(c.get(), 2);
    assert.equal(g.get(), -3);
  });

  it('a counter refuses negative, NaN and infinite increments', () => {
    const c = new DistributedRuntime().createCounter('x_total', 'help');
    for (const bad of [-1, NaN, Infinity]) {
      expectError(
        () => c.inc(bad),
        new RegExp(
          `^Metric "dynamo_x_total": a counter only goes up; inc\\(\\) takes a finite number >= 0, got ${String(bad)}`,
        ),
      );
    }
    c.inc(0);
    c.inc(0.25);
    assert.equal(c.get(), 0.25);
  });

  it('a histogram refuses observe(NaN) and infinities; a gauge refuses set(NaN)', () => {
    const runtime = new DistributedRuntime();
    const h = runtime.createHistogram('h_seconds', 'help');
    for (const bad of [NaN, Infinity, -Infinity]) {
      expectError(
        () => h.observe(bad),
        new RegExp(
          `^Metric "dynamo_h_seconds": observe\\(\\) takes a finite number, got ${String(bad)}`,
        ),
      );
    }
    assert.equal(h.count, 0);
    assert.equal(h.sum, 0);
    const g = runtime.createGauge('g', 'help');
    expectError(() => g.set(NaN), /^Metric "dynamo_g": set\(\) takes a finite number, got NaN/);
    expectError(() => g.dec(Infinity), /dec\(\) takes a finite number, got Infinity/);
    assert.equal(g.get(), 0);
  });

  it('labels() with a missing, unknown or wrongly counted label, or a bad value type', () => {
    const vec = new DistributedRuntime().createCounterVec('req_total', 'help', ['model', 'status']);
    expectError(
      () => vec.labels({ model: 'a' }),
      /^Metric "dynamo_req_total": missing value for label "status"; this metric's variable labels are \[model, status\]/,
    );
    expectError(
      () => vec.labels({ model: 'a', status: 'ok', region: 'eu' }),
      /^Metric "dynamo_req_total": unknown label "region"; this metric's variable labels are \[model, status\]/,
    );
    expectError(
      () => vec.labels('a'),
      /^Metric "dynamo_req_total": labels\(\) expects 2 value\(s\) for \[model, status\], got 1/,
    );
    expectError(
      () => vec.labels('a', 'b', 'c'),
      /expects 2 value\(s\) for \[model, status\], got 3/,
    );
    expectError(() => vec.labels(), /expects 2 value\(s\) for \[model, status\], got 0/);
    expectError(
      () => vec.labels({ model: 'a', status: undefined as unknown as string }),
      /^Metric "dynamo_req_total": label "status" has value undefined of type undefined; label values must be strings or numbers/,
    );
    expectError(
      () => vec.labels('a', null as unknown as string),
      /label "status" has value null of type object/,
    );
    expectError(() => vec.remove({ model: 'a' }), /missing value for label "status"/);
  });

  it('a failed labels() call creates no series', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('req_total', 'help', ['model']);
    assert.throws(() => vec.labels({ model: 'a', extra: 'b' }));
    assert.throws(() => vec.labels('a', 'b'));
    assert.doesNotMatch(await runtime.prometheusMetricsFmt(), /^dynamo_req_total\{/m);
  });
});

describe('errors do not lose state', () => {
  it('values recorded before a failing creation are still exported, and the metric still works', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('n').component('c').endpoint('e');
    const kept = ep.createCounter('kept_total', 'Kept');
    kept.inc(3);
    const vec = ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot']);
    vec.labels('a').set(7);

    assert.throws(() => ep.createGauge('kept_total', 'Kept'), DynamoMetricsError);
    assert.throws(() => ep.createCounter('kept_total', 'Other help'), DynamoMetricsError);
    assert.throws(() => ep.createCounterVec('kept_total', 'Kept', ['x']), DynamoMetricsError);
    assert.throws(
      () => ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot', 'x']),
      DynamoMetricsError,
    );
    assert.throws(
      () => ep.createCounter('kept_total', 'Kept', { 'bad-name': 'v' }),
      DynamoMetricsError,
    );
    assert.throws(() => kept.inc(-5), DynamoMetricsError);
    assert.throws(() => vec.labels('a').set(NaN), DynamoMetricsError);

    const out = await runtime.prometheusMetricsFmt();
    assert.match(out, /^dynamo_kept_total\{namespace="n",component="c",endpoint="e"\} 3$/m);
    assert.match(
      out,
      /^dynamo_kept_gauge\{namespace="n",component="c",endpoint="e",slot="a"\} 7$/m,
    );
    assert.equal(out.match(/^# TYPE dynamo_kept_total counter$/gm)?.length, 1);

    // Get-or-create still hands back the same, still-working objects.
    assert.equal(ep.createCounter('kept_total', 'Kept'), kept);
    assert.equal(ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot']), vec);
    kept.inc();
    assert.match(await runtime.prometheusMetricsFmt(), /^dynamo_kept_total\{.*\} 4$/m);
  });

  it('a creation refused during validation registers nothing under that name', async () => {
    const runtime = new DistributedRuntime();
    assert.throws(
      () => runtime.createCounterVec('half_total', 'help', ['bad-name']),
      DynamoMetricsError,
    );
    assert.throws(() => runtime.createCounter('half_total', ''), DynamoMetricsError);
    assert.throws(
      () => runtime.createHistogram('half_total', 'help', {}, [2, 1]),
      DynamoMetricsError,
    );
    // The name is still free for a different definition.
    runtime.createGauge('half_total', 'A gauge after all').set(1);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_half_total A gauge after all\n# TYPE dynamo_half_total gauge\ndynamo_half_total 1\n',
    );
  });
});

describe('get-or-create', () => {
  it('the same plain creation twice returns the very same series, at every level', () => {
    for (const [, level] of levels()) {
      assert.equal(level.createCounter('a_total', 'A'), level.createCounter('a_total', 'A'));
      assert.equal(level.createIntGauge('b', 'B'), level.createIntGauge('b', 'B'));
      assert.equal(
        level.createHistogram('c_seconds', 'C', { gpu: 'x' }, [1, 2]),
        level.createHistogram('c_seconds', 'C', { gpu: 'x' }, [1, 2]),
      );
    }
  });

  it('the same vec creation twice returns the very same vec, and the same bound series', () => {
    for (const [, level] of levels()) {
      const v1 = level.createCounterVec('r_total', 'R', ['model'], { tier: 'gold' });
      const v2 = level.createCounterVec('r_total', 'R', ['model'], { tier: 'gold' });
      assert.equal(v1, v2);
      assert.equal(v1.labels('m'), v2.labels({ model: 'm' }));
      const h1 = level.createHistogramVec('h_seconds', 'H', ['model'], undefined, [1]);
      assert.equal(h1, level.createHistogramVec('h_seconds', 'H', ['model'], undefined, [1]));
    }
  });

  it('plain metrics with the same constant labels share a series; other values get their own', async () => {
    const runtime = new DistributedRuntime();
    const ns = runtime.namespace('n');
    const eu = ns.createCounter('hits_total', 'Hits', { region: 'eu' });
    assert.equal(ns.createCounter('hits_total', 'Hits', { region: 'eu' }), eu);
    const us = ns.createCounter('hits_total', 'Hits', { region: 'us' });
    assert.notEqual(us, eu);
    eu.inc(2);
    us.inc(5);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_hits_total Hits\n# TYPE dynamo_hits_total counter\n' +
        'dynamo_hits_total{namespace="n",region="eu"} 2\n' +
        'dynamo_hits_total{namespace="n",region="us"} 5\n',
    );
  });

  it('the same name at two endpoints is one family: one HELP/TYPE, two series', async () => {
    const runtime = new DistributedRuntime();
    const comp = runtime.namespace('n').component('c');
    const a = comp.endpoint('a').createCounter('calls_total', 'Calls');
    const b = comp.endpoint('b').createCounter('calls_total', 'Calls');
    assert.notEqual(a, b);
    a.inc();
    b.inc(2);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_calls_total Calls\n# TYPE dynamo_calls_total counter\n' +
        'dynamo_calls_total{namespace="n",component="c",endpoint="a"} 1\n' +
        'dynamo_calls_total{namespace="n",component="c",endpoint="b"} 2\n',
    );
    assert.equal(runtime.metricFamilies().length, 1);
  });

  it('the same child name returns the same level object', () => {
    const runtime = new DistributedRuntime();
    assert.equal(runtime.namespace('a-b'), runtime.namespace('a-b'));
    const comp = runtime.namespace('a-b').component('c');
    assert.equal(runtime.namespace('a-b').component('c'), comp);
    assert.equal(comp.endpoint('e.1'), runtime.namespace('a-b').component('c').endpoint('e.1'));
    assert.notEqual(runtime.namespace('a'), runtime.namespace('b'));
    // Names that sanitise alike are the same level (one rule, see below).
    assert.equal(runtime.namespace('a.b'), runtime.namespace('a-b'));
    assert.equal(runtime.namespace('a_b'), runtime.namespace('a-b'));
  });
});

describe('sanitising namespace, component and endpoint names', () => {
  const cases: Array<[string, string]> = [
    ['my-service', 'my_service'],
    ['llm.backend', 'llm_backend'],
    ['2fast', '_2fast'],
    ['already_ok', 'already_ok'],
    ['MixedCase9', 'MixedCase9'],
    ['a b/c:d', 'a_b_c_d'],
    ['café', 'caf_'],
  ];

  for (const [given, clean] of cases) {
    it(`${JSON.stringify(given)} -> ${JSON.stringify(clean)}`, () => {
      assert.equal(sanitizeHierarchyName('namespace', given), clean);
    });
  }

  it('sanitised names are what the levels use as names and label values', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('my-service').component('llm.backend').endpoint('2fast');
    assert.equal(ep.name, '_2fast');
    assert.equal(ep.component.name, 'llm_backend');
    assert.equal(ep.component.namespace.name, 'my_service');
    assert.deepEqual(ep.hierarchyLabels, {
      namespace: 'my_service',
      component: 'llm_backend',
      endpoint: '_2fast',
    });
    ep.createCounter('x_total', 'X').inc();
    assert.match(
      await runtime.prometheusMetricsFmt(),
      /^dynamo_x_total\{namespace="my_service",component="llm_backend",endpoint="_2fast"\} 1$/m,
    );
  });
});
