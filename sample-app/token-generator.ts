import { setTimeout as sleep } from 'node:timers/promises';

const WORDS = [
  'Hello',
  ' from',
  ' the',
  ' Dynamo',
  ' NestJS',
  ' sample',
  ':',
  ' a',
  ' fake',
  ' model',
  ' streaming',
  ' tokens',
  '.',
];

/** The model name that makes the backend fail after its first token (for the error panels). */
export const FAILING_MODEL = 'sample-fail';
/** The model no worker serves: 503, `error_type="unavailable"` under `component`. */
export const UNAVAILABLE_MODEL = 'sample-unavailable';
/** The model whose first token comes late: past the frontend's first-token deadline. */
export const STALLING_MODEL = 'sample-stall';

/** Rough token count of a prompt: whitespace-separated words (good enough for a fake model). */
export function countPromptTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * A deterministic fake generator: no weights, one token every `delayMs` milliseconds. A consumer
 * that stops iterating (a streaming client that leaves) stops it after the token in progress; a
 * unary handler reads on to the end.
 */
export async function* fakeTokens(
  count: number,
  delayMs: number,
  failAfterFirst: boolean,
  firstTokenDelayMs = 0,
): AsyncGenerator<string> {
  if (firstTokenDelayMs > 0) await sleep(firstTokenDelayMs);
  for (let i = 0; i < count; i++) {
    if (delayMs > 0) await sleep(delayMs);
    if (failAfterFirst && i === 1)
      throw new Error('sample-fail: the backend failed after its first token');
    yield WORDS[i % WORDS.length]!;
  }
}
