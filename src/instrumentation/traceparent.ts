/**
 * The W3C Trace Context `traceparent` header, as the recommendation parses it:
 * `<version>-<trace-id>-<parent-id>-<trace-flags>`, lower-case hex. Version `ff` is invalid, and
 * so are an all-zero trace id or parent id. Version `00` has exactly these four fields; a later
 * version may append fields after a `-`, which a version-00 parser ignores.
 */
const FIELDS = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;
/** Length of the four fields every version starts with. */
const V00_LENGTH = 55;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

export function parseTraceparent(header: string): { traceId: string; spanId: string } | undefined {
  const m = FIELDS.exec(header);
  if (!m) return undefined;
  const [, version, traceId, spanId] = m as unknown as [string, string, string, string];
  if (version === 'ff') return undefined;
  if (version === '00' ? header.length !== V00_LENGTH : !futureTail(header)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_PARENT_ID) return undefined;
  return { traceId, spanId };
}

/** A later version: nothing after the four fields, or a `-` and more. */
const futureTail = (header: string): boolean =>
  header.length === V00_LENGTH || header[V00_LENGTH] === '-';
