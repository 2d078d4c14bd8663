import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { openAiClient } from '../support/openai-client';
import { SampleProcess, startSample } from '../support/sample-process';

/**
 * The sample turns the HTTP server metrics on and serves OpenAI's models routes: the OpenAI SDK
 * lists and retrieves models, and every route, decorated or not, has its series by template;
 * a chat completion is counted both there and in the LLM frontend's family.
 */
for (const platform of ['express', 'fastify'] as const) {
  describe(`sample: HTTP server metrics and /v1/models (${platform})`, () => {
    let app: SampleProcess;
    let client: OpenAI;

    before(async () => {
      app = await startSample({ platform, tokenDelayMs: 1, env: { SAMPLE_MODELS: 'demo,llama' } });
      client = openAiClient(app);
    });

    after(async () => {
      await app?.stop();
    });

    it('the OpenAI SDK lists and retrieves models; an unknown model is a 404 error', async () => {
      const list = await client.models.list();
      assert.deepEqual(
        list.data.map((m) => m.id),
        ['demo', 'llama'],
      );
      assert.equal((await client.models.retrieve('llama')).id, 'llama');
      await assert.rejects(client.models.retrieve('gpt-9'), (err: unknown) => {
        assert.ok(err instanceof OpenAI.NotFoundError);
        assert.equal((err.error as { code?: string }).code, 'model_not_found');
        return true;
      });
    });

    it('each route by its template; a completion in both families', async () => {
      await client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 2,
      });
      const s = await app.scrape();
      const count = (method: string, route: string, status: number) =>
        s.get('http_server_request_duration_seconds_count', {
          http_request_method: method,
          http_route: route,
          http_response_status_code: String(status),
          error_type: '',
        });
      assert.equal(count('GET', '/v1/models', 200), 1);
      assert.equal(count('GET', '/v1/models/:model', 200), 1);
      assert.equal(count('GET', '/v1/models/:model', 404), 1);
      assert.equal(count('POST', '/v1/chat/completions', 200), 1);
      assert.equal(
        s.get('nv_llm_http_service_requests_total', {
          model: 'demo',
          endpoint: 'chat_completions',
          request_type: 'unary',
          status: 'success',
        }),
        1,
      );
      assert.equal(s.get('http_server_active_requests', { http_request_method: 'GET' }), 0);
    });
  });
}
