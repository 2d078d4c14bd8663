import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime, OVERFLOW_LABEL_VALUE } from '../../src/core';
import { ModelAdmission } from '../../src/instrumentation/model-admission';

/** One rule for every client model value (README "Cardinality"); each overflow counted. */

const METRIC = 'dynamo_frontend_requests_total';

function admission(maxModels = 3, models?: ReadonlySet<string> | ((m: string) => boolean)) {
  const runtime = new DistributedRuntime({ maxLabelValueLength: 20 });
  const overflows: string[] = [];
  (
    runtime as unknown as { recordSeriesOverflow: (e: { reason: string }) => void }
  ).recordSeriesOverflow = (e) => void overflows.push(e.reason);
  return {
    models: new ModelAdmission(runtime, { frontendMaxModels: maxModels, frontendModels: models }),
    overflows,
  };
}

describe('ModelAdmission', () => {
  it('trims and lower-cases; the same model is one value however it is spelled', () => {
    const { models, overflows } = admission();
    assert.equal(models.label('Llama-3', METRIC), 'llama-3');
    assert.equal(models.label('  LLAMA-3 ', METRIC), 'llama-3');
    assert.equal(models.size, 1);
    assert.deepEqual(overflows, []);
  });

  it('the overflow marker (any case), blank, empty and non-string values are __overflow__, counted', () => {
    const { models, overflows } = admission();
    const odd: unknown[] = [
      '__overflow__',
      '__OVERFLOW__',
      ' __Overflow__ ',
      '   ',
      '',
      undefined,
      null,
      42,
      {},
    ];
    for (const value of odd)
      assert.equal(models.label(value, METRIC), OVERFLOW_LABEL_VALUE, String(value));
    assert.equal(models.size, 0, 'none of them takes a place in the budget');
    assert.deepEqual(overflows, Array(odd.length).fill('invalid-value'));
  });

  it('the budget, then __overflow__; admitted models keep their value', () => {
    const { models, overflows } = admission(2);
    assert.equal(models.label('a', METRIC), 'a');
    assert.equal(models.label('b', METRIC), 'b');
    assert.equal(models.label('c', METRIC), OVERFLOW_LABEL_VALUE);
    assert.equal(models.label('A', METRIC), 'a');
    assert.deepEqual(overflows, ['series-budget']);
  });

  it('over-long values, and values outside an allow-list, are __overflow__', () => {
    const { models, overflows } = admission(5, new Set(['ok']));
    assert.equal(models.label('x'.repeat(21), METRIC), OVERFLOW_LABEL_VALUE);
    assert.equal(models.label('OK', METRIC), 'ok');
    assert.equal(models.label('no', METRIC), OVERFLOW_LABEL_VALUE);
    assert.deepEqual(overflows, ['value-length', 'not-allowed']);
    const throwing = admission(5, () => {
      throw new Error('predicate failed');
    });
    assert.equal(throwing.models.label('any', METRIC), OVERFLOW_LABEL_VALUE);
  });
});
