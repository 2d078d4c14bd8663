import {
  BadRequestException,
  Injectable,
  NotImplementedException,
  PipeTransform,
} from '@nestjs/common';
import { ChatCompletionRequest, CompletionRequest, OpenAiError } from './openai.types';

const invalid = (message: string, param: string | null): BadRequestException =>
  new BadRequestException({
    error: { message, type: 'invalid_request_error', param, code: null },
  } satisfies OpenAiError);

function checkCommon(body: Record<string, unknown>): void {
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalid('you must provide a model parameter', 'model');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw invalid(`${JSON.stringify(body.stream)} is not of type 'boolean' - 'stream'`, 'stream');
  }
  const max = body.max_tokens;
  if (
    max !== undefined &&
    (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 4096)
  ) {
    throw invalid('max_tokens must be an integer from 1 to 4096', 'max_tokens');
  }
  // A valid request the fake backend cannot serve: 501 (error_type "not_implemented").
  if (body.n !== undefined && body.n !== 1) {
    throw new NotImplementedException({
      error: {
        message: 'n > 1 is not supported',
        type: 'invalid_request_error',
        param: 'n',
        code: null,
      },
    } satisfies OpenAiError);
  }
}

/**
 * Validates OpenAI requests before the handler runs, answering OpenAI-style 400 errors; a request
 * refused here never reaches the handler, so it is not counted as an LLM request.
 */
@Injectable()
export class ChatRequestPipe implements PipeTransform<unknown, ChatCompletionRequest> {
  transform(value: unknown): ChatCompletionRequest {
    if (value === null || typeof value !== 'object')
      throw invalid('request body must be a JSON object', null);
    const body = value as Record<string, unknown>;
    checkCommon(body);
    const messages = body.messages;
    if (
      !Array.isArray(messages) ||
      messages.length === 0 ||
      !messages.every(
        (m) =>
          m && typeof m === 'object' && typeof (m as { content?: unknown }).content === 'string',
      )
    ) {
      throw invalid('messages must be a non-empty array of { role, content } objects', 'messages');
    }
    return body as unknown as ChatCompletionRequest;
  }
}

@Injectable()
export class CompletionRequestPipe implements PipeTransform<unknown, CompletionRequest> {
  transform(value: unknown): CompletionRequest {
    if (value === null || typeof value !== 'object')
      throw invalid('request body must be a JSON object', null);
    const body = value as Record<string, unknown>;
    checkCommon(body);
    if (typeof body.prompt !== 'string') throw invalid('prompt must be a string', 'prompt');
    return body as unknown as CompletionRequest;
  }
}
