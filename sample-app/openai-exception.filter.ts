import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { OpenAiError } from './openai.types';

/**
 * Every HTTP error of the sample in OpenAI's shape, `{ "error": { message, type, param, code } }`,
 * so OpenAI's SDKs read it: errors that already have it (the request pipes) pass through, and the
 * rest (a body that is not valid JSON, an unknown route) are wrapped. Global, because a body is
 * parsed before any controller is chosen.
 */
@Catch(HttpException)
export class OpenAiExceptionFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const body = exception.getResponse() as { error?: unknown; message?: unknown } | string;
    const shaped =
      typeof body === 'object' && body.error !== null && typeof body.error === 'object'
        ? (body as OpenAiError)
        : ({
            error: {
              message:
                typeof body === 'string'
                  ? body
                  : [body.message].flat().filter(Boolean).join('; ') || exception.message,
              type: status < 500 ? 'invalid_request_error' : 'server_error',
              param: null,
              code: null,
            },
          } satisfies OpenAiError);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), shaped, status);
  }
}
