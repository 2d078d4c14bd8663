import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplication } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { DistributedRuntime, DynamoMetricsModuleOptions } from '../../src';
import { OPENMETRICS_TYPE } from '../support/content-types';
import { withEnv } from '../support/env';
import { http } from '../support/http-client';
import { closeApp, createApp, PLATFORMS, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { exemplarModule, TraceBackend } from './fixtures/exemplar-app';

/**
 * Exemplars end to end in process: where a call's trace comes from (the W3C `traceparent`
 * header, an active OpenTelemetry span, the enclosing request, the user's function) and which
 * latency histograms carry it, on real Express and Fastify servers.
 */

const HEADER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const HEADER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${HEADER_TRACE}-${HEADER_SPAN}-01`;

/** Trace ids of the exemplars on one histogram's buckets, for series matching `labels`. */
async function exemplarTraces(
  app: INestApplication,
  histogram: string,
  labels: Record<string, string>,
): Promise<string[]> {
  const text = await app.get(DistributedRuntime).prometheusMetricsFmt(OPENMETRICS_TYPE);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${histogram}_bucket{`) && wanted.every((w) => l.includes(w)))
    .flatMap((l) => [...l.matchAll(/ # \{trace_id="([0-9a-f]+)"/g)].map((m) => m[1]!));
}

const HIT = { endpoint: 'hit' };
const WORK = { endpoint: 'work' };
const WORKER = 'dynamo_request_duration_seconds';
const FRONTEND = 'nv_llm_http_service';

for (const platform of PLATFORMS) {
  describe(`exemplars (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    describe('on, traces from headers', () => {
      let app: INestApplication;
      let port: number;
      before(
        async () => ({ app, port } = await startApp(platform, exemplarModule({ exemplars: true }))),
      );
      after(() => closeApp(app));

      it('a route carries its traceparent, and the provider it calls inherits it', async () => {
        const res = await http(port, 'GET', '/hit', undefined, { traceparent: TRACEPARENT });
        assert.equal(res.status, 200);
        assert.deepEqual(await exemplarTraces(app, WORKER, HIT), [HEADER_TRACE]);
        assert.deepEqual(await exemplarTraces(app, WORKER, WORK), [HEADER_TRACE]);
      });

      it('the frontend keeps it on duration, TTFT and inter-token latency', async () => {
        const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
        const res = await http(
          port,
          'POST',
          '/v1/chat/completions',
          JSON.stringify({ model: 'm1', stream: true }),
          { 'content-type': 'application/json', traceparent: `00-${other}-${HEADER_SPAN}-01` },
        );
        assert.equal(res.status, 200);
        for (const h of ['request_duration_seconds', 'time_to_first_token_seconds']) {
          assert.deepEqual(await exemplarTraces(app, `${FRONTEND}_${h}`, { model: 'm1' }), [other]);
        }
        const itl = await exemplarTraces(app, `${FRONTEND}_inter_token_latency_seconds`, {
          model: 'm1',
        });
        assert.ok(itl.length >= 1 && itl.every((id) => id === other), String(itl));
      });

      it('a request without traceparent (or with an invalid one) adds no exemplar', async () => {
        const before = await exemplarTraces(app, WORKER, HIT);
        await http(port, 'GET', '/hit');
        await http(port, 'GET', '/hit', undefined, {
          traceparent: `00-${'0'.repeat(32)}-${HEADER_SPAN}-01`,
        });
        await http(port, 'GET', '/hit', undefined, { traceparent: 'garbage' });
        // The earlier exemplar may stay in its bucket; no new trace appears.
        const now = await exemplarTraces(app, WORKER, HIT);
        assert.ok(
          now.every((id) => before.includes(id)),
          `${now} vs ${before}`,
        );
      });

      it('text format scrapes carry none', async () => {
        const res = await http(port, 'GET', '/metrics');
        assert.equal(res.status, 200);
        assert.ok(!res.text.includes('trace_id'), 'exemplars only in OpenMetrics');
        const open = await http(port, 'GET', '/metrics', undefined, {
          accept: 'application/openmetrics-text; version=1.0.0',
        });
        assert.ok(open.text.includes(`trace_id="${HEADER_TRACE}"`));
      });
    });

    it('off by default: no exemplar even with a traceparent', async () => {
      const { app, port } = await startApp(platform, exemplarModule({}));
      try {
        await http(port, 'GET', '/hit', undefined, { traceparent: TRACEPARENT });
        assert.deepEqual(await exemplarTraces(app, WORKER, HIT), []);
      } finally {
        await closeApp(app);
      }
    });

    it('DYN_METRICS_EXEMPLARS wins over the option', async () => {
      await withEnv({ DYN_METRICS_EXEMPLARS: 'false' }, async () => {
        const { app, port } = await startApp(platform, exemplarModule({ exemplars: true }));
        try {
          await http(port, 'GET', '/hit', undefined, { traceparent: TRACEPARENT });
          assert.deepEqual(await exemplarTraces(app, WORKER, HIT), []);
        } finally {
          await closeApp(app);
        }
      });
    });

    it('the traceContext option replaces the built-in sources and gets the request', async () => {
      const seen: string[] = [];
      const options: DynamoMetricsModuleOptions = {
        exemplars: true,
        traceContext: (req) => {
          const header = (req as { headers?: Record<string, string> } | undefined)?.headers?.[
            'x-request-trace'
          ];
          if (header) seen.push(header);
          return header ? { traceId: header } : undefined;
        },
      };
      const { app, port } = await startApp(platform, exemplarModule(options));
      try {
        const mine = 'cccccccccccccccccccccccccccccccc';
        await http(port, 'GET', '/hit', undefined, {
          traceparent: TRACEPARENT,
          'x-request-trace': mine,
        });
        assert.deepEqual(await exemplarTraces(app, WORKER, HIT), [mine]);
        assert.deepEqual(seen, [mine]);
      } finally {
        await closeApp(app);
      }
    });
  });
}

describe('exemplars with OpenTelemetry', { timeout: SUITE_TIMEOUT_MS }, () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const provider = new BasicTracerProvider();
  const tracer = provider.getTracer('exemplar-test');
  before(() => context.setGlobalContextManager(contextManager));
  after(() => {
    context.disable();
    void provider.shutdown();
  });

  it("the active span wins over the request's traceparent", async () => {
    const app = await createApp('express', exemplarModule({ exemplars: true }));
    // What an OpenTelemetry HTTP instrumentation does: each request runs inside its span.
    const spans: string[] = [];
    app.use((_req: unknown, _res: unknown, next: () => void) => {
      const span = tracer.startSpan('GET /hit');
      spans.push(span.spanContext().traceId);
      context.with(trace.setSpan(context.active(), span), () => {
        next();
        span.end();
      });
    });
    await app.listen(0, '127.0.0.1');
    try {
      const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
      await http(port, 'GET', '/hit', undefined, { traceparent: TRACEPARENT });
      assert.equal(spans.length, 1);
      assert.notEqual(spans[0], HEADER_TRACE);
      assert.deepEqual(await exemplarTraces(app, WORKER, HIT), spans);
      assert.deepEqual(await exemplarTraces(app, WORKER, WORK), spans);
    } finally {
      await closeApp(app);
    }
  });

  it('a provider method called inside a span (no HTTP) carries that span', async () => {
    const app = await createApp('express', exemplarModule({ exemplars: true }));
    await app.init();
    try {
      const span = tracer.startSpan('job');
      await context.with(trace.setSpan(context.active(), span), () => app.get(TraceBackend).work());
      span.end();
      assert.deepEqual(await exemplarTraces(app, WORKER, WORK), [span.spanContext().traceId]);
    } finally {
      await closeApp(app);
    }
  });
});

it('DYN_METRICS_EXEMPLARS must be true or false: a start-up error', async () => {
  await withEnv({ DYN_METRICS_EXEMPLARS: 'yes please' }, async () => {
    await assert.rejects(
      createApp('express', exemplarModule({})),
      /DYN_METRICS_EXEMPLARS="yes please" is not valid; accepted values: "true" or "false"/,
    );
  });
});
