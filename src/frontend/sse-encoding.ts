import { Observable } from 'rxjs';
import { openAiError } from './openai-error';

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
 * Strings and buffers are taken as already framed and pass through unchanged. A stream that
 * fails after its first event ends with one `data: {"error": {...}}` event (no [DONE]), which
 * OpenAI's SDKs raise as an API error; one that fails before it rethrows, so the router can
 * still answer with an error status.
 */
export async function* encodeSse(
  chunks: AsyncIterable<unknown>,
): AsyncGenerator<string | Uint8Array> {
  let framed = false;
  let started = false;
  try {
    for await (const chunk of chunks) {
      started = true;
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
        yield chunk;
      } else {
        framed = true;
        yield `data: ${JSON.stringify(chunk)}\n\n`;
      }
    }
  } catch (err) {
    if (!started) throw err;
    yield `data: ${JSON.stringify(openAiError(err))}\n\n`;
    return;
  }
  if (framed) yield 'data: [DONE]\n\n';
}
