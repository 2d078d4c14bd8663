import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import {
  DynamoEndpoint,
  DynamoMetricsError,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  FrontendMetrics,
  SystemServer,
} from '../../src';
import { resolveConfig } from '../../src/config/environment';
import {
  escapeAttribute,
  loadStatusPageFiles,
} from '../../src/exposure/status-page/status-page.assets';
import { STATUS_PAGE_CSP } from '../../src/exposure/status-page/status-page.routes';
import { EnvVars, withEnv } from '../support/env';
import { CapturingLogger } from '../support/logger';
import { PLATFORMS, startApp } from '../support/nest-app';
import { ASSETS_DIR, loadPageModules } from '../support/status-page';

/**
 * The status page's server side (DYN_SYSTEM_STATUS_PAGE): configuration, the routes on the
 * system server (never on the app's port), headers (CSP, caching), size, and the page finding
 * the families of a real app's /metrics whatever prefixes it was given. The page in a real
 * browser: test/sample/status-page.browser.e2e.test.ts.
 */

const SYSTEM: EnvVars = {
  DYN_SYSTEM_ENABLED: 'true',
  DYN_SYSTEM_PORT: '0',
  DYN_SYSTEM_HOST: '127.0.0.1',
};

function appModule(options: DynamoMetricsModuleOptions): unknown {
  @Controller()
  class WorkController {
    constructor(private readonly frontend: FrontendMetrics) {}
    @Get('generate')
    @DynamoEndpoint({ component: 'backend' })
    generate(): string {
      const request = this.frontend.startRequest({
        model: 'Demo',
        endpoint: 'chat',
        stream: false,
      });
      request.end('success');
      return 'ok';
    }
  }
  @Module({ imports: [DynamoMetricsModule.forRoot(options)], controllers: [WorkController] })
  class AppModule {}
  return AppModule;
}

/** Starts an app with the env and options, runs `fn` with its app and system base URLs. */
async function withApp(
  env: EnvVars,
  options: DynamoMetricsModuleOptions,
  fn: (urls: { app: string; system?: string }, logger: CapturingLogger) => Promise<void>,
  platform: (typeof PLATFORMS)[number] = 'express',
): Promise<void> {
  await withEnv(env, async () => {
    const logger = new CapturingLogger();
    const { app, url } = await startApp(platform, appModule(options), { logger });
    try {
      await fn({ app: url, system: app.get(SystemServer).url }, logger);
    } finally {
      await app.close();
    }
  });
}

describe('status page: configuration', () => {
  it('off by default; DYN_SYSTEM_STATUS_PAGE wins over system.statusPage', () => {
    assert.equal(resolveConfig({}, {}).system.statusPage, false);
    assert.equal(resolveConfig({ system: { statusPage: true } }, {}).system.statusPage, true);
    const on = { system: { statusPage: true } };
    assert.equal(resolveConfig(on, { DYN_SYSTEM_STATUS_PAGE: 'false' }).system.statusPage, false);
    assert.equal(resolveConfig({}, { DYN_SYSTEM_STATUS_PAGE: 'TRUE' }).system.statusPage, true);
    assert.equal(resolveConfig(on, { DYN_SYSTEM_STATUS_PAGE: ' ' }).system.statusPage, true);
  });

  it('a bad value names the variable or option and what is accepted', () => {
    const cases: Array<[DynamoMetricsModuleOptions, Record<string, string>, string]> = [
      [
        {},
        { DYN_SYSTEM_STATUS_PAGE: 'yes' },
        'DYN_SYSTEM_STATUS_PAGE="yes" is not valid; accepted values: "true" or "false" (empty means unset).',
      ],
      [
        { system: { statusPage: 'on' as never } },
        {},
        'option system.statusPage="on" is not valid; accepted values: "true" or "false" (empty means unset).',
      ],
      [
        { system: { metricsPath: '/status' } },
        { DYN_SYSTEM_STATUS_PAGE: 'true' },
        'option system.metricsPath="/status" is taken by the status page (DYN_SYSTEM_STATUS_PAGE=true serves "/", "/status", "/status/history" and "/status/assets/"); choose another metrics path, such as "/metrics".',
      ],
    ];
    for (const [options, env, message] of cases) {
      assert.throws(
        () => resolveConfig(options, env),
        (err: unknown) => err instanceof DynamoMetricsError && err.message === message,
      );
    }
    for (const path of ['/', '/status/assets/x.mjs', '/status/history']) {
      assert.throws(
        () => resolveConfig({ system: { metricsPath: path, statusPage: true } }, {}),
        /is taken by the status page/,
      );
    }
    // Without the page those paths stay the user's.
    assert.equal(resolveConfig({ system: { metricsPath: '/' } }, {}).system.metricsPath, '/');
  });
});

describe('status page: served by the system server only', () => {
  it('off: the system server answers 404 at / and /status', async () => {
    await withApp(SYSTEM, {}, async ({ system }) => {
      for (const path of ['/', '/status', '/status/assets/status-page.mjs']) {
        assert.equal((await fetch(`${system}${path}`)).status, 404, path);
      }
    });
  });

  for (const platform of PLATFORMS) {
    it(`${platform}: in-app metrics (no system port): never on the app's port, and a warning says why`, async () => {
      await withApp(
        { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_STATUS_PAGE: 'true' },
        {},
        async ({ app, system }, logger) => {
          assert.equal(system, undefined);
          for (const path of ['/', '/status', '/status/assets/status-page.mjs']) {
            assert.equal((await fetch(`${app}${path}`)).status, 404, path);
          }
          assert.equal((await fetch(`${app}/metrics`)).status, 200);
          assert.deepEqual(
            logger.lines.filter((l) => l.level === 'warn').map((l) => l.message),
            [
              "DYN_SYSTEM_STATUS_PAGE is on, but the status page is served only by the dedicated system server: set DYN_SYSTEM_PORT to show it (it is never served on the application's port).",
            ],
          );
        },
        platform,
      );
    });
  }

  it('on: the page at / and /status, its files, strict CSP, ETag revalidation, HEAD', async () => {
    await withApp({ ...SYSTEM, DYN_SYSTEM_STATUS_PAGE: 'true' }, {}, async ({ system }, logger) => {
      // The start-up line names the page.
      assert.ok(logger.lines.some((l) => l.message.includes(`, status page ${system}/;`)));
      const root = await fetch(`${system}/`);
      const status = await fetch(`${system}/status`);
      assert.equal(root.status, 200);
      assert.equal(root.headers.get('content-type'), 'text/html; charset=utf-8');
      const html = await root.text();
      assert.equal(await status.text(), html);
      assert.equal(
        root.headers.get('content-security-policy'),
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      assert.equal(root.headers.get('x-content-type-options'), 'nosniff');

      // Nothing a strict CSP would refuse: every script is a file, no style or handler attribute.
      assert.deepEqual(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g), null);
      assert.deepEqual(html.match(/<style|\sstyle=|\son[a-z]+=/gi), null);

      // Every file the page links, and every file the modules import, is served.
      const linked = [...html.matchAll(/(?:href|src)="(\/status\/assets\/[^"]+)"/g)].map(
        (m) => m[1]!,
      );
      const files = readdirSync(ASSETS_DIR).filter((f) => f !== 'index.html');
      let total = Buffer.byteLength(html);
      const types: Record<string, string> = {};
      for (const file of files) {
        const res = await fetch(`${system}/status/assets/${file}`);
        assert.equal(res.status, 200, file);
        assert.equal(res.headers.get('content-security-policy'), STATUS_PAGE_CSP, file);
        types[file.split('.').pop()!] = res.headers.get('content-type')!;
        const body = await res.text();
        total += Buffer.byteLength(body);
        for (const m of body.matchAll(/from '\.\/([^']+)'/g))
          assert.ok(files.includes(m[1]!), m[1]);
        // Label values reach the page only as text: no HTML parsing of strings anywhere.
        assert.deepEqual(
          body.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/g),
          null,
          file,
        );
      }
      assert.ok(linked.length > 0, 'the page links no asset: the check below would pass empty');
      for (const path of linked) assert.ok(files.includes(path.split('/').pop()!), path);
      assert.deepEqual(types, {
        mjs: 'text/javascript; charset=utf-8',
        css: 'text/css; charset=utf-8',
        svg: 'image/svg+xml',
      });
      // "A few tens of kB", no dependency.
      assert.ok(total < 40_000, `page and files: ${total} bytes`);

      // Cached by the browser: revalidated by ETag, 304 while unchanged.
      const js = await fetch(`${system}/status/assets/status-page.mjs`);
      const etag = js.headers.get('etag')!;
      assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
      assert.equal(js.headers.get('cache-control'), 'no-cache');
      const again = await fetch(`${system}/status/assets/status-page.mjs`, {
        headers: { 'if-none-match': etag },
      });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      const changed = await fetch(`${system}/status/assets/status-page.mjs`, {
        headers: { 'if-none-match': '"other"' },
      });
      assert.equal(changed.status, 200);
      const head = await fetch(`${system}/`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      assert.equal((await fetch(`${system}/status/assets/nope.mjs`)).status, 404);
    });
  });

  it("the page finds a real app's families with any prefix, from hints or by itself", async () => {
    const page = await loadPageModules();
    const options = {
      prefix: 'acme',
      frontend: { prefix: 'my_llm' },
      system: { metricsPath: '/prom' },
    };
    await withApp(
      { ...SYSTEM, DYN_SYSTEM_STATUS_PAGE: 'true' },
      options,
      async ({ app, system }) => {
        for (let i = 0; i < 3; i++) assert.equal((await fetch(`${app}/generate`)).status, 200);
        const html = await (await fetch(`${system}/status`)).text();
        const data = (name: string) => new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1];
        assert.deepEqual(
          [data('metrics-path'), data('health-path'), data('worker-stem'), data('frontend-stem')],
          ['/prom', '/health', 'acme_', 'my_llm_'],
        );
        const now = {
          t: 1,
          scrape: page.parseExposition(await (await fetch(`${system}/prom`)).text()),
        };
        for (const hints of [{ worker: 'acme_', frontend: 'my_llm_' }, {}]) {
          const families = page.findFamilies(now.scrape, hints);
          assert.equal(families.worker?.stem, 'acme_');
          assert.equal(families.frontend?.stem, 'my_llm_');
          const view = page.derive(now, undefined, families);
          assert.deepEqual(
            view.workers.map((w) => [w.namespace, w.component, w.endpoint, w.requests, w.inflight]),
            [['dynamo', 'backend', 'generate', 3, 0]],
          );
          assert.deepEqual(
            view.models.map((m) => [m.model, m.requests, m.inflight]),
            [['demo', 3, 0]],
          );
          assert.ok(view.uptime! > 0);
        }
      },
    );
  });

  it('missing files (a build that skipped build:assets) stop start-up with a clear error', () => {
    const config = resolveConfig({ system: { statusPage: true } }, {});
    assert.throws(
      () => loadStatusPageFiles(config, '/nonexistent/assets'),
      (err: unknown) =>
        err instanceof DynamoMetricsError &&
        err.message ===
          'The status page (DYN_SYSTEM_STATUS_PAGE) cannot find its files in /nonexistent/assets; the package build copies them there ("npm run build"). Reinstall the package, or turn the status page off.',
    );
  });

  it('attribute values are escaped', () => {
    assert.equal(escapeAttribute(`/a"b'<c>&`), '/a&quot;b&#39;&lt;c&gt;&amp;');
  });
});
