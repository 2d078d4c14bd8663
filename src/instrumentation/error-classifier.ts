import { HttpException } from '@nestjs/common';
import type { WorkerErrorType } from '../core';

/**
 * Maps a thrown value to the documented `error_type` set; raw messages never become labels.
 * HttpException below 500 and RpcException mean the handler refused the request on purpose.
 */
export function classifyError(err: unknown): WorkerErrorType {
  if (err instanceof HttpException) return err.getStatus() < 500 ? 'client_error' : 'handler_error';
  if (err !== null && typeof err === 'object' && err.constructor?.name === 'RpcException')
    return 'client_error';
  return 'handler_error';
}

/** A deliberate refusal of the request (HTTP 4xx), as opposed to a failure. */
export function isRefusal(err: unknown): boolean {
  return err instanceof HttpException && err.getStatus() < 500;
}
