export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Where a handler's outcome goes. An object (often the call itself), not two closures per call. */
export interface CallOutcome {
  /** The value (or what its promise resolved to); returns what the caller gets instead. */
  onResult(value: unknown): unknown;
  /** A throw or rejection, before it propagates unchanged. */
  onError(err: unknown): void;
}

/**
 * Calls the handler and routes its outcome: the value (or what its promise resolves to) through
 * `outcome.onResult`, a throw or rejection to `outcome.onError` before it propagates unchanged.
 */
export function callHandler(
  self: unknown,
  original: (...args: unknown[]) => unknown,
  args: unknown[],
  outcome: CallOutcome,
): unknown {
  let result: unknown;
  try {
    result = original.apply(self, args);
  } catch (err) {
    outcome.onError(err);
    throw err;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => outcome.onResult(value),
      (err: unknown) => {
        outcome.onError(err);
        throw err;
      },
    );
  }
  return outcome.onResult(result);
}
