import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { http } from '../support/http-client';
import { openAiClient } from '../support/openai-client';
import { SampleProcess, startSample } from '../support/sample-process';
import { FAILING_MODEL } from '../../sample-app/token-generator';

/**
 * Issue 14, item 7, with OpenAI's own SDK as the client: a streamed response that fails after
 * it started ends with an OpenAI error event, which the SDK raises as an API error (not a bare
 * connection error); invalid JSON bodies get OpenAI's error shape, on Express and Fastify.
 */

for (const platform of ['express', 'fastify'] as const) {
  describe(`OpenAI SDK against the sample (${platform})`, () => {
    let app: SampleProcess;
    let client: OpenAI;

    before(async () => {
      app = await startSample({ platform, tokenDelayMs: 1 });
      client = openAiClient(app);
    });

    after(async () => {
      await app?.stop();
    });

    it('a stream that succeeds reads to the end', async () => {
      const stream = await client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        max_tokens: 3,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      assert.ok(text.length > 0);
    });

    it('a stream that fails after its first token raises an APIError with the server error', async () => {
      const stream = await client.chat.completions.create({
        model: FAILING_MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        max_tokens: 8,
      });
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
        })(),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.APIError, `an APIError, got ${String(err)}`);
          assert.ok(!(err instanceof OpenAI.APIConnectionError), 'not a connection error');
          assert.deepEqual(err.error, {
            message: 'Internal server error',
            type: 'server_error',
            param: null,
            code: null,
          });
          return true;
        },
      );
      assert.ok(seen.includes('Hello'), `the first token arrived first: ${JSON.stringify(seen)}`);
    });

    it('the failure is still an error in the frontend metrics', async () => {
      const s = await app.scrape();
      assert.equal(
        s.get('nv_llm_http_service_requests_total', {
          model: FAILING_MODEL,
          endpoint: 'chat_completions',
          request_type: 'stream',
          status: 'error',
        }),
        1,
      );
    });

    it('a body that is not valid JSON gets an OpenAI-style 400', async () => {
      const res = await http(app.appPort, 'POST', '/v1/chat/completions', '{"model": "x",', {
        'content-type': 'application/json',
      });
      assert.equal(res.status, 400);
      const body = JSON.parse(res.text) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.param, null);
      assert.equal(body.error.code, null);
      assert.equal(typeof body.error.message, 'string');
      // And the SDK reads a refused request as a BadRequestError with the server's message.
      await assert.rejects(
        client.chat.completions.create({ model: 'demo', messages: [] }),
        (err: unknown) =>
          err instanceof OpenAI.BadRequestError &&
          /messages must be a non-empty array/.test(err.message),
      );
    });
  });
}
