import {
  Body,
  Controller,
  HttpCode,
  InternalServerErrorException,
  NotFoundException,
  Post,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { GaugeSeries, InjectNamespace, LlmFrontendEndpoint, Namespace } from '../src';
import { ChatRequestPipe, CompletionRequestPipe } from './openai-request.pipe';
import { ChatCompletionRequest, CompletionRequest, OpenAiError, Usage } from './openai.types';
import { SamplePipeline, SERVED_MODELS } from './pipeline';
import { PrefixCache } from './prefix-cache';

type Kind = 'chat' | 'text';

/**
 * The OpenAI-compatible frontend. @LlmFrontendEndpoint records the `nv_llm_http_service_*`
 * metrics: a unary handler returns the response (its `usage` gives the token counts), a
 * streaming one returns chunk objects, which the decorator sends as SSE ending in [DONE].
 */
@Controller('v1')
export class FrontendController {
  private readonly activeStreams: GaugeSeries;
  private readonly prefixCache = new PrefixCache();

  constructor(
    private readonly pipeline: SamplePipeline,
    // A custom metric at namespace level: labels {namespace}.
    @InjectNamespace() namespace: Namespace,
  ) {
    this.activeStreams = namespace.createIntGauge(
      'sample_active_streams',
      'Streaming responses being sent now',
    );
  }

  @Post('chat/completions')
  @HttpCode(200)
  @LlmFrontendEndpoint({ endpoint: 'chat_completions' })
  chatCompletions(@Body(ChatRequestPipe) body: ChatCompletionRequest) {
    const prompt = body.messages.map((m) => m.content).join('\n');
    return this.respond('chat', body.model, prompt, body.stream === true, body.max_tokens);
  }

  @Post('completions')
  @HttpCode(200)
  @LlmFrontendEndpoint({ endpoint: 'completions' })
  completions(@Body(CompletionRequestPipe) body: CompletionRequest) {
    return this.respond('text', body.model, body.prompt, body.stream === true, body.max_tokens);
  }

  private respond(kind: Kind, model: string, prompt: string, stream: boolean, maxTokens = 16) {
    if (SERVED_MODELS?.length && !SERVED_MODELS.includes(model.toLowerCase())) {
      // 404, as OpenAI answers an unknown model (error_type "not_found").
      throw new NotFoundException({
        error: {
          message: `The model \`${model}\` does not exist`,
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      } satisfies OpenAiError);
    }
    const promptTokens = this.pipeline.preprocess(prompt);
    this.pipeline.route(model);
    const tokens = this.pipeline.dispatch({ model, prompt, maxTokens });
    const cached = this.prefixCache.cachedTokens(model.toLowerCase(), prompt);
    const usage = (completion: number): Usage => ({
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
      ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    });
    return stream
      ? this.streamChunks(kind, model, tokens, usage)
      : this.unary(kind, model, tokens, usage);
  }

  private async unary(
    kind: Kind,
    model: string,
    tokens: AsyncIterable<string>,
    usage: (n: number) => Usage,
  ) {
    const parts: string[] = [];
    try {
      for await (const token of tokens) parts.push(token);
    } catch (err) {
      throw new InternalServerErrorException({
        error: { message: (err as Error).message, type: 'server_error', param: null, code: null },
      });
    }
    const text = this.pipeline.detokenize(parts);
    const base = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`,
      created: now(),
      model,
    };
    return kind === 'chat'
      ? {
          ...base,
          object: 'chat.completion',
          choices: [
            { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
          ],
          usage: usage(parts.length),
        }
      : {
          ...base,
          object: 'text_completion',
          choices: [{ index: 0, text, finish_reason: 'stop' }],
          usage: usage(parts.length),
        };
  }

  private async *streamChunks(
    kind: Kind,
    model: string,
    tokens: AsyncIterable<string>,
    usage: (n: number) => Usage,
  ) {
    const base = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`,
      object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: now(),
      model,
    };
    const choice = (delta: string | undefined, finish: string | null) =>
      kind === 'chat'
        ? {
            index: 0,
            delta: delta === undefined ? { role: 'assistant' } : { content: delta },
            finish_reason: finish,
          }
        : { index: 0, text: delta ?? '', finish_reason: finish };
    this.activeStreams.inc();
    try {
      if (kind === 'chat') yield { ...base, choices: [choice(undefined, null)] };
      let count = 0;
      for await (const token of tokens) {
        count++;
        yield { ...base, choices: [choice(token, null)] };
      }
      yield {
        ...base,
        choices: [
          kind === 'chat' ? { index: 0, delta: {}, finish_reason: 'stop' } : choice('', 'stop'),
        ],
      };
      // As OpenAI does with stream_options.include_usage: a last chunk with the token counts.
      yield { ...base, choices: [], usage: usage(count) };
    } finally {
      this.activeStreams.dec();
    }
  }
}

const now = (): number => Math.floor(Date.now() / 1000);
