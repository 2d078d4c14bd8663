import type { Scrape } from './exposition-parser';

/** The worker metrics of one `@DynamoEndpoint()`, read from a scrape by exact labels. */

export interface WorkerSnapshot {
  requests: number;
  concurrent: number;
  durationCount: number;
  requestBytes: number;
  responseBytes: number;
  errors: {
    client_error: number;
    handler_error: number;
    stream_error: number;
    cancelled: number;
  };
}

/** Every worker metric of one endpoint, by exact labels; throws when any series is missing. */
export function worker(
  s: Scrape,
  labels: { namespace?: string; component: string; endpoint: string },
  prefix = 'dynamo',
): WorkerSnapshot {
  const l = { namespace: labels.namespace ?? 'dynamo', ...labels };
  const p = prefix ? `${prefix}_` : '';
  const err = (error_type: string) => s.get(`${p}errors_total`, { ...l, error_type });
  return {
    requests: s.get(`${p}requests_total`, l),
    concurrent: s.get(`${p}concurrent_requests`, l),
    durationCount: s.get(`${p}request_duration_seconds_count`, l),
    requestBytes: s.get(`${p}request_bytes_total`, l),
    responseBytes: s.get(`${p}response_bytes_total`, l),
    errors: {
      client_error: err('client_error'),
      handler_error: err('handler_error'),
      stream_error: err('stream_error'),
      cancelled: err('cancelled'),
    },
  };
}

/** A snapshot with everything at zero except what `partial` says. */
export function expected(
  partial: Partial<Omit<WorkerSnapshot, 'errors'>> & { errors?: Partial<WorkerSnapshot['errors']> },
): WorkerSnapshot {
  return {
    requests: 0,
    concurrent: 0,
    durationCount: 0,
    requestBytes: 0,
    responseBytes: 0,
    ...partial,
    errors: {
      client_error: 0,
      handler_error: 0,
      stream_error: 0,
      cancelled: 0,
      ...partial.errors,
    },
  };
}
