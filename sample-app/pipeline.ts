import { Injectable, OnApplicationBootstrap, ServiceUnavailableException } from '@nestjs/common';
import { FrontendMetrics, ModelConfig } from '../src';
import { BackendService, GenerateRequest } from './backend.service';
import { OpenAiError } from './openai.types';
import { countPromptTokens, UNAVAILABLE_MODEL } from './token-generator';

/** SAMPLE_MODELS (comma-separated, lower-cased): the models served; unset, any model is. */
export const SERVED_MODELS = process.env.SAMPLE_MODELS?.split(',')
  .map((m) => m.trim().toLowerCase())
  .filter(Boolean);

/** The fake model's configuration, as a worker would register it with Dynamo's frontend. */
const MODEL_CONFIG: ModelConfig = {
  contextLength: 8192,
  kvCacheBlockSize: 16,
  totalKvBlocks: 4096,
  maxNumSeqs: 64,
  maxNumBatchedTokens: 8192,
  migrationLimit: 3,
};

/**
 * The fake frontend pipeline, timed as Dynamo's frontend times its own: preprocess (tokenize),
 * route, dispatch, and detokenize. Under `component` these feed `stage_requests`,
 * `stage_duration_seconds` and `tokenizer_latency_ms`; under `classic` the calls do nothing.
 */
@Injectable()
export class SamplePipeline implements OnApplicationBootstrap {
  constructor(
    private readonly frontend: FrontendMetrics,
    private readonly backend: BackendService,
  ) {}

  /** At start-up: the served models' configuration (`model_context_length`, ...). */
  onApplicationBootstrap(): void {
    for (const model of SERVED_MODELS?.length ? SERVED_MODELS : ['demo']) {
      this.frontend.publishModelConfig(model, MODEL_CONFIG);
    }
  }

  /** Tokenizes the prompt: its token count. */
  preprocess(prompt: string): number {
    return this.frontend.stage('preprocess', () =>
      this.timed('tokenize', () => countPromptTokens(prompt)),
    );
  }

  /** Picks a worker; `sample-unavailable` has none (503, `error_type="unavailable"`). */
  route(model: string): void {
    this.frontend.stage(
      'route',
      () => {
        if (model.toLowerCase() !== UNAVAILABLE_MODEL) return;
        throw new ServiceUnavailableException({
          error: {
            message: `No worker is available for the model \`${model}\``,
            type: 'server_error',
            param: 'model',
            code: 'model_unavailable',
          },
        } satisfies OpenAiError);
      },
      'aggregated',
    );
  }

  /** Hands the request to the backend worker: its token stream. */
  dispatch(request: GenerateRequest): AsyncGenerator<string> {
    return this.frontend.stage('dispatch', () => this.backend.generate(request), 'aggregated');
  }

  /** Turns tokens into text. */
  detokenize(tokens: readonly string[]): string {
    return this.timed('detokenize', () => tokens.join(''));
  }

  private timed<T>(operation: 'tokenize' | 'detokenize', fn: () => T): T {
    const started = performance.now();
    const result = fn();
    this.frontend.tokenizerLatency(operation, performance.now() - started);
    return result;
  }
}
