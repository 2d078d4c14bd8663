import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceparent } from '../../src/instrumentation/traceparent';

/** W3C Trace Context, section 3.2 (`traceparent`), as written. */

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('version 00: exactly four fields', () => {
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-01`), { traceId: TRACE, spanId: SPAN });
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-01-extra`), undefined);
    assert.equal(parseTraceparent(`00-${TRACE}-${SPAN}-0`), undefined);
  });

  it('version ff, all-zero trace ids and all-zero parent ids are invalid', () => {
    assert.equal(parseTraceparent(`ff-${TRACE}-${SPAN}-01`), undefined);
    assert.equal(parseTraceparent(`00-${'0'.repeat(32)}-${SPAN}-01`), undefined);
    assert.equal(parseTraceparent(`00-${TRACE}-${'0'.repeat(16)}-01`), undefined);
  });

  it('upper-case hex and malformed fields are invalid', () => {
    assert.equal(parseTraceparent(`00-${TRACE.toUpperCase()}-${SPAN}-01`), undefined);
    assert.equal(parseTraceparent(`0-${TRACE}-${SPAN}-01`), undefined);
    assert.equal(parseTraceparent(`00_${TRACE}-${SPAN}-01`), undefined);
    assert.equal(parseTraceparent(''), undefined);
  });

  it('a future version: the first four fields, more only after a dash', () => {
    assert.deepEqual(parseTraceparent(`01-${TRACE}-${SPAN}-01`), { traceId: TRACE, spanId: SPAN });
    assert.deepEqual(parseTraceparent(`cc-${TRACE}-${SPAN}-09-what-comes-next`), {
      traceId: TRACE,
      spanId: SPAN,
    });
    assert.equal(parseTraceparent(`cc-${TRACE}-${SPAN}-09x`), undefined);
  });
});
