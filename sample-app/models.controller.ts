import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { OpenAiError } from './openai.types';
import { SERVED_MODELS } from './pipeline';

/** OpenAI's model object. */
interface Model {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const STARTED = Math.floor(Date.now() / 1000);
const model = (id: string): Model => ({
  id,
  object: 'model',
  created: STARTED,
  owned_by: 'nestjs-dynamo-metrics',
});

/**
 * OpenAI's models routes. Undecorated: only the HTTP server metrics (on in this sample) see
 * them, as `http_route="/v1/models"` and `"/v1/models/:model"` whatever model is asked for.
 */
@Controller('v1/models')
export class ModelsController {
  /** `GET /v1/models`: the served models (SAMPLE_MODELS), or `demo` when any model is served. */
  @Get()
  list() {
    return { object: 'list', data: (SERVED_MODELS?.length ? SERVED_MODELS : ['demo']).map(model) };
  }

  /** `GET /v1/models/:model`: 404 with OpenAI's error for a model not served. */
  @Get(':model')
  get(@Param('model') id: string) {
    if (SERVED_MODELS?.length && !SERVED_MODELS.includes(id.toLowerCase())) {
      throw new NotFoundException({
        error: {
          message: `The model \`${id}\` does not exist`,
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      } satisfies OpenAiError);
    }
    return model(id);
  }
}
