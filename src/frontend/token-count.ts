import type { TokenUsage } from './frontend-request';

/** An OpenAI-style response or streamed chunk, as far as the metrics read it. */
export interface Chunk {
  choices?: Array<{ delta?: { content?: unknown }; text?: unknown }>;
  usage?: TokenUsage;
}

/** Default token count of a streamed chunk: one per chunk with content. */
export function defaultTokenCount(chunk: unknown): number {
  const choices = (chunk as Chunk | null)?.choices;
  if (!Array.isArray(choices)) return 0;
  return choices.some((c) => {
    const content = c?.delta?.content ?? c?.text;
    return typeof content === 'string' && content.length > 0;
  })
    ? 1
    : 0;
}
