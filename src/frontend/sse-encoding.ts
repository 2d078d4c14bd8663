import { Observable } from 'rxjs';

/** Async iteration over an Observable's values (rxjs has no built-in one in v7). */
export async function* observableValues<T>(source: Observable<T>): AsyncGenerator<T> {
  const queue: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const subscription = source.subscribe({
    next: (value) => {
      queue.push(value);
      wake?.();
    },
    error: (error: unknown) => {
      failure = { error };
      wake?.();
    },
    complete: () => {
      finished = true;
      wake?.();
    },
  });
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * OpenAI's streaming framing: each chunk object as `data: <json>\n\n`, then `data: [DONE]\n\n`.
 * Strings and buffers are taken as already framed and pass through unchanged.
 */
export async function* encodeSse(
  chunks: AsyncIterable<unknown>,
): AsyncGenerator<string | Uint8Array> {
  let framed = false;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
      yield chunk;
    } else {
      framed = true;
      yield `data: ${JSON.stringify(chunk)}\n\n`;
    }
  }
  if (framed) yield 'data: [DONE]\n\n';
}
