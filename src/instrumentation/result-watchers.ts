import { StreamableFile } from '@nestjs/common';
import { isObservable, Observable } from 'rxjs';
import { finished, Readable } from 'node:stream';

// Read once: rxjs's CommonJS build exports through getters, one call per read.
const isRxObservable: typeof isObservable = isObservable;

/** What a handler returned, as far as the end of the call is concerned. */
export type ResultKind = 'value' | 'observable' | 'async-iterable' | 'stream' | 'streamable-file';

export function resultKind(value: unknown): ResultKind {
  if (value === null || typeof value !== 'object') return 'value';
  if (isRxObservable(value)) return 'observable';
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

/** Reports a Node stream's end to `watch` (a premature close counts as cancelled). */
export function watchStream(stream: Readable, watch: StreamWatcher): void {
  if (watch.next) stream.on('data', (chunk: unknown) => watch.next!(chunk));
  finished(stream, (err) => {
    if (!err) watch.complete();
    else if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') watch.cancel();
    else watch.error(err);
  });
}

/** Watches a streamed result of any kind; returns what the handler should return instead. */
export function watchResult(value: unknown, kind: ResultKind, watch: StreamWatcher): unknown {
  switch (kind) {
    case 'observable':
      return watchObservable(value as Observable<unknown>, watch);
    case 'async-iterable':
      return watchAsyncIterable(value as AsyncIterable<unknown>, watch);
    case 'streamable-file':
      watchStream((value as StreamableFile).getStream(), watch);
      return value;
    case 'stream':
      watchStream(value as Readable, watch);
      return value;
    default:
      return value;
  }
}
