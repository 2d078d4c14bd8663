import { HttpException } from '@nestjs/common';
import type { FrontendErrorMapping, FrontendErrorType } from '../core';
import { httpStatusOf } from '../instrumentation/error-classifier';
import { FRONTEND_MESSAGES } from './frontend.messages';

/**
 * A stream that missed a deadline (`frontend.firstTokenTimeoutMs`, `interTokenTimeoutMs`): a
 * 504 with an OpenAI-style error body, when nothing was sent yet; its `error_type` is its own.
 */
export class FrontendStreamTimeout extends HttpException {
  constructor(
    readonly errorType: 'first_token_timeout' | 'intra_token_timeout',
    ms: number,
  ) {
    const message =
      errorType === 'first_token_timeout'
        ? FRONTEND_MESSAGES.firstTokenTimeout(ms)
        : FRONTEND_MESSAGES.interTokenTimeout(ms);
    super({ error: { message, type: 'server_error', param: null, code: errorType } }, 504);
  }
}

/**
 * Maps a thrown value to `error_type` by the profile's table: a stream deadline by its own
 * type, then the HTTP status, then the error's name; otherwise a stream that failed after its
 * first chunk is `afterFirstChunk`, anything else `otherwise`.
 */
export function frontendErrorType(
  mapping: FrontendErrorMapping,
  err: unknown,
  afterFirstChunk = false,
): FrontendErrorType {
  if (err instanceof FrontendStreamTimeout) return err.errorType;
  const status = httpStatusOf(err);
  if (status !== undefined) {
    if (Object.hasOwn(mapping.byStatus, status)) return mapping.byStatus[status]!;
    return status >= 400 && status < 500 ? mapping.clientError : mapping.otherwise;
  }
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && Object.hasOwn(mapping.byName, name)) return mapping.byName[name]!;
  return afterFirstChunk ? mapping.afterFirstChunk : mapping.otherwise;
}
