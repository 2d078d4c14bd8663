import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';
import { firstValueFrom, from, interval, lastValueFrom, Observable, of } from 'rxjs';
import { Subject, take, throwError, toArray } from 'rxjs';
import {
  resultKind,
  StreamWatcher,
  watchAsyncIterable,
  watchObservable,
  watchResult,
  watchStream,
} from '../../src/instrumentation/result-watchers';

/** Records what a watcher was told, in order. */
function recording(): { watch: StreamWatcher; events: string[] } {
  const events: string[] = [];
  return {
    events,
    watch: {
      next: (item) => events.push(`next:${String(item)}`),
      error: (err) => events.push(`error:${(err as Error).message}`),
      complete: () => events.push('complete'),
      cancel: () => events.push('cancel'),
    },
  };
}

async function* numbers(n: number, failAt?: number): AsyncGenerator<number> {
  for (let i = 1; i <= n; i++) {
    if (i === failAt) throw new Error(`failed at ${i}`);
    yield i;
  }
}

/** Resolves once `stream` has ended or failed (after `finished` callbacks ran). */
const settled = (stream: Readable) =>
  new Promise<void>((resolve) => stream.once('close', () => setImmediate(resolve)));

describe('resultKind', () => {
  it('tells each kind of result apart', () => {
    assert.equal(resultKind(undefined), 'value');
    assert.equal(resultKind(42), 'value');
    assert.equal(resultKind('text'), 'value');
    assert.equal(resultKind({ a: 1 }), 'value');
    assert.equal(resultKind(of(1)), 'observable');
    assert.equal(resultKind(new StreamableFile(Buffer.from('x'))), 'streamable-file');
    // A Node stream is async iterable too: the stream wins.
    assert.equal(resultKind(Readable.from(['a'])), 'stream');
    assert.equal(resultKind(numbers(1)), 'async-iterable');
    assert.equal(resultKind({ [Symbol.asyncIterator]: () => numbers(1) }), 'async-iterable');
  });
});

describe('watchObservable', () => {
  it('passes values through and reports each item, then the completion', async () => {
    const { watch, events } = recording();
    const values = await firstValueFrom(watchObservable(from([1, 2, 3]), watch).pipe(toArray()));
    assert.deepEqual(values, [1, 2, 3]);
    assert.deepEqual(events, ['next:1', 'next:2', 'next:3', 'complete']);
  });

  it('reports a failure once and passes the same error on', async () => {
    const { watch, events } = recording();
    const boom = new Error('boom');
    await assert.rejects(
      firstValueFrom(
        watchObservable(
          throwError(() => boom),
          watch,
        ),
      ),
      boom,
    );
    assert.deepEqual(events, ['error:boom']);
  });

  it('an unsubscribe before the end is a cancel; after the end it is nothing', () => {
    const early = recording();
    const source = new Subject<number>();
    const subscription = watchObservable(source, early.watch).subscribe();
    source.next(1);
    subscription.unsubscribe();
    assert.deepEqual(early.events, ['next:1', 'cancel']);

    const late = recording();
    watchObservable(of(1), late.watch).subscribe().unsubscribe();
    assert.deepEqual(late.events, ['next:1', 'complete']);
  });

  it('take(1) downstream cancels the rest of an endless source', async () => {
    const { watch, events } = recording();
    assert.equal(await firstValueFrom(watchObservable(interval(1), watch).pipe(take(1))), 0);
    assert.deepEqual(events, ['next:0', 'cancel']);
  });

  it('does not subscribe to the source before the consumer does', () => {
    let subscribed = 0;
    const source = new Observable<number>(() => void subscribed++);
    const watched = watchObservable(source, recording().watch);
    assert.equal(subscribed, 0);
    watched.subscribe();
    assert.equal(subscribed, 1);
  });
});

describe('watchAsyncIterable', () => {
  it('yields every item, then completes', async () => {
    const { watch, events } = recording();
    const items: number[] = [];
    for await (const n of watchAsyncIterable(numbers(3), watch)) items.push(n);
    assert.deepEqual(items, [1, 2, 3]);
    assert.deepEqual(events, ['next:1', 'next:2', 'next:3', 'complete']);
  });

  it('a failing source is an error, rethrown to the consumer', async () => {
    const { watch, events } = recording();
    const items: number[] = [];
    await assert.rejects(async () => {
      for await (const n of watchAsyncIterable(numbers(3, 2), watch)) items.push(n);
    }, /failed at 2/);
    assert.deepEqual(items, [1]);
    assert.deepEqual(events, ['next:1', 'error:failed at 2']);
  });

  it('a consumer that stops early (break) is a cancel', async () => {
    const { watch, events } = recording();
    for await (const n of watchAsyncIterable(numbers(5), watch)) if (n === 2) break;
    assert.deepEqual(events, ['next:1', 'next:2', 'cancel']);
  });
});

describe('watchStream', () => {
  it('a stream that ends is complete; items are reported only with a next', async () => {
    const { watch, events } = recording();
    const stream = Readable.from(['a', 'b']);
    watchStream(stream, watch);
    stream.resume();
    await settled(stream);
    assert.deepEqual(events, ['next:a', 'next:b', 'complete']);

    const quiet = recording();
    const unread = new PassThrough();
    watchStream(unread, { ...quiet.watch, next: undefined });
    // Without `next`, no 'data' listener: the stream is not made to flow.
    assert.equal(unread.readableFlowing, null);
    unread.end();
    unread.resume();
    await settled(unread);
    assert.deepEqual(quiet.events, ['complete']);
  });

  it('a destroyed stream is an error; a premature close is a cancel', async () => {
    const failed = recording();
    const broken = new PassThrough();
    watchStream(broken, failed.watch);
    broken.destroy(new Error('disk gone'));
    await settled(broken);
    assert.deepEqual(failed.events, ['error:disk gone']);

    const cut = recording();
    const stream = new PassThrough();
    watchStream(stream, { ...cut.watch, next: undefined });
    stream.destroy();
    await settled(stream);
    assert.deepEqual(cut.events, ['cancel']);
  });
});

describe('watchResult', () => {
  it('returns what the handler should return instead, by kind', async () => {
    const value = { a: 1 };
    assert.equal(watchResult(value, 'value', recording().watch), value);

    const observed = recording();
    const wrapped = watchResult(of(1, 2), 'observable', observed.watch) as Observable<number>;
    assert.equal(await lastValueFrom(wrapped), 2);
    assert.deepEqual(observed.events, ['next:1', 'next:2', 'complete']);

    // Streams are watched in place: the same object goes back to Nest.
    const file = new StreamableFile(Readable.from(['x']));
    const fileEvents = recording();
    assert.equal(watchResult(file, 'streamable-file', fileEvents.watch), file);
    file.getStream().resume();
    await settled(file.getStream());
    assert.deepEqual(fileEvents.events, ['next:x', 'complete']);

    const iterated = recording();
    const iterable = watchResult(numbers(2), 'async-iterable', iterated.watch);
    const items: number[] = [];
    for await (const n of iterable as AsyncIterable<number>) items.push(n);
    assert.deepEqual(items, [1, 2]);
    assert.deepEqual(iterated.events, ['next:1', 'next:2', 'complete']);
  });
});
