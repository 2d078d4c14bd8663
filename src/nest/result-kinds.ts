import { StreamableFile } from '@nestjs/common';
import { isObservable, Observable } from 'rxjs';
import type { Readable } from 'node:stream';

/** What a handler returned, as far as the end of the call is concerned. */
export type ResultKind = 'value' | 'observable' | 'async-iterable' | 'stream' | 'streamable-file';

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

export function resultKind(value: unknown): ResultKind {
  if (value === null || typeof value !== 'object') return 'value';
  if (isObservable(value)) return 'observable';
  if (value instanceof StreamableFile) return 'streamable-file';
  // Node streams are async iterable too; they are told apart by pipe/on.
  if (
    typeof (value as Readable).pipe === 'function' &&
    typeof (value as Readable).on === 'function'
  ) {
    return 'stream';
  }
  if (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return 'async-iterable';
  }
  return 'value';
}

export interface StreamWatcher {
  /** Each item (Observable value or iterable item). */
  next?(item: unknown): void;
  /** The stream failed. */
  error(err: unknown): void;
  /** The stream ended normally. */
  complete(): void;
  /** The consumer stopped before the end (unsubscribe, iterator return). */
  cancel(): void;
}

/** An Observable that reports its outcome to `watch`; values pass through untouched. */
export function watchObservable<T>(source: Observable<T>, watch: StreamWatcher): Observable<T> {
  return new Observable<T>((subscriber) => {
    let settled = false;
    const subscription = source.subscribe({
      next: (value) => {
        watch.next?.(value);
        subscriber.next(value);
      },
      error: (err: unknown) => {
        settled = true;
        watch.error(err);
        subscriber.error(err);
      },
      complete: () => {
        settled = true;
        watch.complete();
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      if (!settled) watch.cancel();
    };
  });
}

/** An async iterable that reports its outcome to `watch`; items pass through untouched. */
export async function* watchAsyncIterable<T>(
  source: AsyncIterable<T>,
  watch: StreamWatcher,
): AsyncGenerator<T> {
  let settled = false;
  try {
    for await (const item of source) {
      watch.next?.(item);
      yield item;
    }
    settled = true;
    watch.complete();
  } catch (err) {
    settled = true;
    watch.error(err);
    throw err;
  } finally {
    if (!settled) watch.cancel();
  }
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
