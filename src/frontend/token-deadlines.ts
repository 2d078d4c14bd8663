import { FrontendStreamTimeout } from './frontend-error-type';

export interface TokenDeadlines {
  /** No token-carrying chunk this long after `startedAt`: `first_token_timeout`. */
  firstTokenMs?: number;
  /** No token-carrying chunk this long after the previous one: `intra_token_timeout`. */
  interTokenMs?: number;
}

/**
 * The chunks of `source`, failing with a FrontendStreamTimeout when a deadline passes. The
 * source is then told to stop (`return()`), so the backend producing it is freed.
 */
export async function* withTokenDeadlines<T>(
  source: AsyncIterable<T>,
  tokenCount: (chunk: T) => number,
  deadlines: TokenDeadlines,
  startedAt: number,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let lastToken: number | undefined;
  let finished = false;
  try {
    for (;;) {
      const first = lastToken === undefined;
      const limit = first ? deadlines.firstTokenMs : deadlines.interTokenMs;
      const next = it.next();
      const result =
        limit === undefined
          ? await next
          : await beforeDeadline(next, (lastToken ?? startedAt) + limit - performance.now(), () =>
              first
                ? new FrontendStreamTimeout('first_token_timeout', limit)
                : new FrontendStreamTimeout('intra_token_timeout', limit),
            );
      if (result.done) {
        finished = true;
        return;
      }
      if (tokenCount(result.value) > 0) lastToken = performance.now();
      yield result.value;
    }
  } finally {
    // A deadline, a failure or a consumer that stopped: stop the source too (never awaited, as
    // a generator stuck in its own await only returns once that await settles).
    if (!finished) it.return?.()?.catch(() => undefined);
  }
}

function beforeDeadline<T>(pending: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), Math.max(0, ms));
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}
