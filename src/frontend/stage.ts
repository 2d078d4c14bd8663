/** Ends one pass through a pipeline stage; calls after the first are ignored. */
export type StageEnd = () => void;

/** Runs `fn` and ends the stage when it returns, throws, or (for a promise) settles. */
export function runStage<T>(end: StageEnd, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (err) {
    end();
    throw err;
  }
  if (result instanceof Promise) {
    return result.finally(end) as T;
  }
  end();
  return result;
}
