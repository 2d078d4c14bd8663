import { httpStatusOf } from '../instrumentation/error-classifier';

/** The body of an OpenAI API error, as OpenAI's SDKs read it. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | number | null };
}

/**
 * The OpenAI-style error for a failure: an HttpException's own `{ error: {...} }` body when it
 * has one, its message for a 4xx, and otherwise a generic server error (an unexpected error's
 * message may carry internals, which Nest does not send to clients either).
 */
export function openAiError(err: unknown): OpenAiErrorBody {
  const status = httpStatusOf(err);
  const getResponse = (err as { getResponse?: unknown } | null | undefined)?.getResponse;
  if (status !== undefined && typeof getResponse === 'function') {
    const body = getResponse.call(err) as { error?: unknown; message?: unknown } | string;
    if (typeof body === 'object' && body?.error && typeof body.error === 'object') {
      const given = body.error as Partial<OpenAiErrorBody['error']>;
      return { error: { param: null, code: null, ...given } as OpenAiErrorBody['error'] };
    }
    if (status < 500) {
      const message =
        typeof body === 'string' ? body : [body?.message].flat().filter(Boolean).join('; ');
      return {
        error: {
          message: message || `Request failed with status ${status}`,
          type: 'invalid_request_error',
          param: null,
          code: status,
        },
      };
    }
  }
  return {
    error: { message: 'Internal server error', type: 'server_error', param: null, code: null },
  };
}
