export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Calls the handler and routes its outcome: the value (or what its promise resolves to) through
 * `onResult`, a throw or rejection to `onError` before it propagates unchanged.
 */
export function callHandler(
  self: unknown,
  original: (...args: unknown[]) => unknown,
  args: unknown[],
  onResult: (value: unknown) => unknown,
  onError: (err: unknown) => void,
): unknown {
  let result: unknown;
  try {
    result = original.apply(self, args);
  } catch (err) {
    onError(err);
    throw err;
  }
  if (isThenable(result)) {
    return result.then(onResult, (err: unknown) => {
      onError(err);
      throw err;
    });
  }
  return onResult(result);
}
