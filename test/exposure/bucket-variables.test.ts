import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoMetricsError, resolveConfig } from '../../src/internal';

/**
 * DYN_METRICS_<X>_{MIN,MAX,COUNT} (and Dynamo's deprecated DYN_HISTOGRAM_DYN_METRICS_<X>_*) under
 * `component`, `frontend.buckets` in both profiles: what wins, and the start-up error, naming
 * the variable and the accepted values, for every value Dynamo would refuse.
 */

const component = { naming: 'component' as const };
const buckets = (env: Record<string, string>, options = {}) =>
  resolveConfig({ ...component, ...options }, env).frontendBuckets;
const refused = (env: Record<string, string>, message: RegExp, options = {}) =>
  assert.throws(
    () => resolveConfig({ ...component, ...options }, env),
    (err: unknown) => err instanceof DynamoMetricsError && message.test(err.message),
  );

describe('frontend bucket variables and options', () => {
  it('each X reads its own MIN, MAX and COUNT; the rest keep Dynamo defaults', () => {
    const b = buckets({
      DYN_METRICS_REQUEST_DURATION_MAX: '64',
      DYN_METRICS_INPUT_SEQUENCE_COUNT: '3',
      DYN_METRICS_OUTPUT_SEQUENCE_MIN: '10',
      DYN_METRICS_OUTPUT_SEQUENCE_MAX: '1000',
      DYN_METRICS_OUTPUT_SEQUENCE_COUNT: '3',
      DYN_METRICS_TTFT_MIN: '1e-2',
      DYN_METRICS_TTFT_MAX: '10',
      DYN_METRICS_TTFT_COUNT: '5',
      DYN_METRICS_ITL_COUNT: ' ',
    });
    assert.deepEqual(b.requestDuration, [0, 1.6, 2.5, 4, 6.3, 10, 16, 25, 40, 64]);
    assert.deepEqual(b.inputSequence, [0, 2500, 130000]);
    assert.deepEqual(b.outputSequence, [0, 100, 1000]);
    assert.deepEqual(b.timeToFirstToken, [0, 0.056, 0.32, 1.8, 10]);
    // Blank is unset: Dynamo's default.
    assert.equal(b.interTokenLatency.length, 13);
  });

  it('the deprecated doubled form is read when the new name is unset, and loses to it', () => {
    const b = buckets({
      DYN_HISTOGRAM_DYN_METRICS_TTFT_COUNT: '3',
      DYN_HISTOGRAM_DYN_METRICS_ITL_COUNT: '3',
      DYN_METRICS_ITL_COUNT: '2',
    });
    assert.deepEqual(b.timeToFirstToken, [0, 0.69, 480]);
    assert.deepEqual(b.interTokenLatency, [0, 2]);
  });

  it('frontend.buckets takes a list or { min, max, count }; the variables win over it', () => {
    const b = buckets(
      { DYN_METRICS_TTFT_COUNT: '3' },
      {
        frontend: {
          buckets: {
            requestDuration: [0.5, 1, 5],
            timeToFirstToken: { min: 0.01, max: 1, count: 9 },
            interTokenLatency: { min: 0.01, max: 1, count: 3 },
          },
        },
      },
    );
    assert.deepEqual(b.requestDuration, [0.5, 1, 5]);
    // The variable's COUNT over the option's min and max.
    assert.deepEqual(b.timeToFirstToken, [0, 0.1, 1]);
    assert.deepEqual(b.interTokenLatency, [0, 0.1, 1]);
  });

  it('classic ignores the variables (its output never changes) but takes the option', () => {
    const env = { DYN_METRICS_TTFT_COUNT: '3', DYN_METRICS_ITL_MIN: 'abc' };
    const classic = resolveConfig({}, env).frontendBuckets;
    assert.deepEqual(
      classic.timeToFirstToken,
      [0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 240, 480],
    );
    const given = resolveConfig({ frontend: { buckets: { interTokenLatency: [1, 2] } } }, env);
    assert.deepEqual(given.frontendBuckets.interTokenLatency, [1, 2]);
  });

  it('values Dynamo would refuse stop start-up, naming the variable', () => {
    refused(
      { DYN_METRICS_TTFT_MIN: 'abc' },
      /^DYN_METRICS_TTFT_MIN="abc" is not valid; accepted values: a number > 0, such as 0\.001 or 480/,
    );
    refused(
      { DYN_METRICS_ITL_MIN: '0' },
      /^DYN_METRICS_ITL_MIN="0" is not valid; accepted values: a number > 0/,
    );
    refused({ DYN_METRICS_ITL_MAX: '-2' }, /^DYN_METRICS_ITL_MAX="-2" is not valid/);
    refused({ DYN_METRICS_ITL_MAX: 'inf' }, /^DYN_METRICS_ITL_MAX="inf" is not valid/);
    refused(
      { DYN_METRICS_TTFT_COUNT: '0' },
      /^DYN_METRICS_TTFT_COUNT="0" is not valid; accepted values: a whole number from 1 to 512/,
    );
    refused({ DYN_METRICS_TTFT_COUNT: '513' }, /^DYN_METRICS_TTFT_COUNT="513" is not valid/);
    refused({ DYN_METRICS_TTFT_COUNT: '2.5' }, /^DYN_METRICS_TTFT_COUNT="2.5" is not valid/);
    refused(
      { DYN_METRICS_REQUEST_DURATION_MIN: '8', DYN_METRICS_REQUEST_DURATION_MAX: '8' },
      /^DYN_METRICS_REQUEST_DURATION_MIN=8 is not below DYN_METRICS_REQUEST_DURATION_MAX=8; accepted values: 0 < MIN < MAX\.$/,
    );
    refused(
      { DYN_METRICS_TTFT_MIN: '600' },
      /^DYN_METRICS_TTFT_MIN=600 is not below the default max=480; accepted values: 0 < MIN < MAX\.$/,
    );
    refused(
      { DYN_HISTOGRAM_DYN_METRICS_ITL_MIN: 'x' },
      /^DYN_HISTOGRAM_DYN_METRICS_ITL_MIN="x" is not valid/,
    );
  });

  it('bad options and deadlines are refused, naming the option', () => {
    const bad = (frontend: unknown, message: RegExp) => refused({}, message, { frontend });
    bad(
      { buckets: { timeToFirstToken: [1, 1] } },
      /^option frontend\.buckets\.timeToFirstToken=\[1,1\] is not valid; accepted values: strictly increasing finite numbers/,
    );
    bad(
      { buckets: { timeToFirstToken: { min: 0, max: 1, count: 3 } } },
      /^option frontend\.buckets\.timeToFirstToken=\{"min":0,"max":1,"count":3\} is not valid/,
    );
    bad(
      { buckets: { ttft: [1] } },
      /^option frontend\.buckets\.ttft is not a bucket set; accepted values: requestDuration, /,
    );
    bad(
      { firstTokenTimeoutMs: 0 },
      /^option frontend\.firstTokenTimeoutMs=0 is not valid; accepted values: a number of milliseconds > 0/,
    );
    bad({ interTokenTimeoutMs: '5' }, /^option frontend\.interTokenTimeoutMs="5" is not valid/);
  });
});
