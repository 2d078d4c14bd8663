import type { FrontendErrorType } from './frontend-metrics.constants';

/** The HTTP status an exception carries (Nest's HttpException and look-alikes), if any. */
function statusOf(err: unknown): number | undefined {
  const getStatus = (err as { getStatus?: unknown } | null)?.getStatus;
  if (typeof getStatus !== 'function') return undefined;
  const status: unknown = getStatus.call(err);
  return typeof status === 'number' ? status : undefined;
}

/** Maps a thrown value to the frontend's `error_type` (see FRONTEND_ERROR_TYPES). */
export function frontendErrorType(err: unknown): FrontendErrorType {
  const status = statusOf(err);
  if (status === undefined) return 'internal';
  if (status === 404) return 'not_found';
  if (status === 429 || status === 503) return 'overload';
  if (status === 501) return 'not_implemented';
  if (status === 499) return 'cancelled';
  if (status >= 400 && status < 500) return 'validation';
  return 'internal';
}
