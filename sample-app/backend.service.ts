import { Injectable } from '@nestjs/common';
import {
  CounterVec,
  DynamoEndpoint,
  Endpoint,
  FrontendMetrics,
  HistogramSeries,
  InjectComponent,
  InjectEndpoint,
  Component,
} from '../src';
import { FAILING_MODEL, fakeTokens, STALLING_MODEL } from './token-generator';

export interface GenerateRequest {
  model: string;
  prompt: string;
  maxTokens: number;
}

/**
 * The backend worker: the `backend` component's `generate` endpoint. @DynamoEndpoint records the
 * worker metrics of every call (requests, concurrency, duration until the token stream ends,
 * bytes in and out via the size functions, errors by type).
 */
/**
 * Under the `component` naming profile (DYN_METRICS_NAMING=component) the worker metrics carry
 * the request's model, since today's Dynamo dashboard filters every worker panel on `model`; the
 * classic output stays the guide's. The package lower-cases the value and bounds it with the
 * frontend's model budget (a client sending random models cannot grow /metrics). Read when the
 * class is defined, which is after main.ts has applied the sample's defaults.
 */
const MODEL_LABEL =
  process.env.DYN_METRICS_NAMING?.trim().toLowerCase() === 'component'
    ? { model: ([request]: unknown[]) => (request as GenerateRequest).model }
    : undefined;

@Injectable()
export class BackendService {
  private readonly tokens: CounterVec;
  private readonly promptChars: HistogramSeries;
  readonly delayMs = Number(process.env.SAMPLE_TOKEN_DELAY_MS ?? 5);
  /** How late `sample-stall`'s first token is: twice the frontend's first-token deadline. */
  readonly stallMs = 2 * Number(process.env.SAMPLE_FIRST_TOKEN_TIMEOUT_MS ?? 2000);

  constructor(
    // Custom metrics at component level: labels {namespace, component} plus `model`.
    @InjectComponent('backend') component: Component,
    // ...and at endpoint level: labels {namespace, component, endpoint}, custom buckets.
    @InjectEndpoint('backend', 'generate') endpoint: Endpoint,
    private readonly frontend: FrontendMetrics,
  ) {
    this.tokens = component.createCounterVec(
      'backend_generated_tokens_total',
      'Tokens produced by the fake generator',
      ['model'],
    );
    this.promptChars = endpoint.createHistogram(
      'generate_prompt_characters',
      'Prompt length in characters',
      { generator: 'fake' },
      [16, 64, 256, 1024, 4096],
    );
  }

  @DynamoEndpoint({
    component: 'backend',
    endpoint: 'generate',
    requestSize: ([request]) => Buffer.byteLength((request as GenerateRequest).prompt),
    responseSize: (token) => Buffer.byteLength(token as string),
    labels: MODEL_LABEL,
  })
  generate(request: GenerateRequest): AsyncGenerator<string> {
    this.promptChars.observe(request.prompt.length);
    // The client's model through the frontend's model admission: at most its 100 models here too.
    const counter = this.tokens.labels(this.frontend.modelLabel(request.model, this.tokens.name));
    const failing = request.model.toLowerCase() === FAILING_MODEL;
    const stall = request.model.toLowerCase() === STALLING_MODEL ? this.stallMs : 0;
    return (async function* (delayMs: number) {
      for await (const token of fakeTokens(request.maxTokens, delayMs, failing, stall)) {
        counter.inc();
        yield token;
      }
    })(this.delayMs);
  }
}
