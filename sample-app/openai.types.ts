/** The parts of OpenAI's request and response shapes the sample serves. */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  max_tokens?: number;
  n?: number;
}

export interface CompletionRequest {
  model: string;
  prompt: string;
  stream?: boolean;
  max_tokens?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Present when part of the prompt came from the (simulated) prefix cache. */
  prompt_tokens_details?: { cached_tokens: number };
}

/** OpenAI's error body: `{ "error": { "message", "type", "param", "code" } }`. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}
