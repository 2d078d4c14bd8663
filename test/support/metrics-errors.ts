import assert from 'node:assert/strict';
import { DistributedRuntime, DynamoMetricsError, MetricsLevel } from '../../src/internal';

/** For the validation tests: the error every refused definition throws, at every level. */

/** Asserts that `fn` throws a DynamoMetricsError whose message matches every pattern. */
export function expectError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      err instanceof DynamoMetricsError,
      `expected a DynamoMetricsError, got ${String(err)}`,
    );
    assert.equal(err.name, 'DynamoMetricsError');
    // What a log line that prints the error shows: its class and the message, nothing else.
    assert.equal(String(err), `DynamoMetricsError: ${err.message}`);
    for (const pattern of patterns) assert.match(err.message, pattern);
    return true;
  });
}

/**
 * One level of each kind, each in a runtime of its own (the same name at two depths of one
 * runtime is a conflict by design), for "at every level" checks.
 */
export function levels(): Array<[string, MetricsLevel]> {
  const ns = () => new DistributedRuntime().namespace('ns');
  return [
    ['runtime', new DistributedRuntime()],
    ['namespace', ns()],
    ['component', ns().component('comp')],
    ['endpoint', ns().component('comp').endpoint('ep')],
  ];
}
