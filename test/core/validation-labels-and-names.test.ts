import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConstLabels, DistributedRuntime } from '../../src/internal';
import { expectError, levels } from '../support/metrics-errors';

/**
 * What a metric definition refuses: reserved, duplicate and invalid labels, bad names, help,
 * prefixes, buckets and arguments.
 */

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
