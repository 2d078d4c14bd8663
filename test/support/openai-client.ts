import OpenAI from 'openai';
import type { SampleProcess } from './sample-process';

/** OpenAI's own SDK pointed at a running sample app, without retries. */
export const openAiClient = (app: SampleProcess): OpenAI =>
  new OpenAI({
    baseURL: `http://127.0.0.1:${app.appPort}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
  });
