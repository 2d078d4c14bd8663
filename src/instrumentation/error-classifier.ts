import type { WorkerErrorType } from '../core';

/**
 * The HTTP status a thrown value carries: Nest's HttpException, or a look-alike from another copy
 * of @nestjs/common (a `getStatus()` returning a number). Undefined for anything else.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const getStatus = (err as { getStatus?: unknown } | null | undefined)?.getStatus;
  if (typeof getStatus !== 'function') return undefined;
  const status: unknown = getStatus.call(err);
  return typeof status === 'number' ? status : undefined;
}

/**
 * Maps a thrown value to the documented `error_type` set; raw messages never become labels.
 * HttpException below 500 and RpcException mean the handler refused the request on purpose.
 */
export function classifyError(err: unknown): WorkerErrorType {
  const status = httpStatusOf(err);
  if (status !== undefined) return status < 500 ? 'client_error' : 'handler_error';
  if (err !== null && typeof err === 'object' && err.constructor?.name === 'RpcException')
    return 'client_error';
  return 'handler_error';
}

/** A deliberate refusal of the request (HTTP 4xx), as opposed to a failure. */
export function isRefusal(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status !== undefined && status < 500;
}
