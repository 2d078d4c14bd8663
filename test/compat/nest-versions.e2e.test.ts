import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, realpath, rm, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { Scrape } from '../support/exposition-parser';
import {
  assertRan,
  childEnv,
  compile,
  Compiler,
  declarations,
  FIXTURES,
  installFixture,
  INSTALL_TIMEOUT_MS,
  ModuleSetting,
  Packed,
  packCleanTree,
  ROOT,
  run,
  RUN_TIMEOUT_MS,
  tail,
} from './compat-support';
import {
  REQUESTS,
  WORKER,
  SUITE_TIMEOUT_MS,
  AppCase,
  APP_CASES,
  CORE_CASES,
  limited,
  CaseRun,
  field,
  reportOf,
} from './nest-version-cases';

/**
 * The package as a user gets it (README "Publishing and versions"):
 *
 * 1. `npm pack` from a clean copy of the working tree (no dist/): `prepack` builds it; the
 *    tarball holds the built code and typings, README, LICENSE and package.json, nothing else.
 * 2. The tarball installed (next to `npm ci` from committed lock files) into fresh apps:
 *    test/compat/nest11 (NestJS 11, CommonJS), nest12 (NestJS 12, CommonJS through require(esm)),
 *    nest12-esm (NestJS 12, `"type": "module"`).
 * 3. test/compat/app/app.ts, a user's Nest app, compiled in each with TypeScript 5.0, the newest
 *    5.x (test/compat/typescript) and 7.x (the repository's), `skipLibCheck: false`, `module`
 *    commonjs or nodenext; each output started, requested through a global guard and scraped.
 * 4. test/compat/core: `nestjs-dynamo-metrics/core` from plain Node (CommonJS compiled by
 *    TypeScript, and an ES module), with no @nestjs/* installed.
 *
 * The installs reach the npm registry (the slow part of this file; they run in parallel).
 * COMPAT_KEEP_TMP=1 keeps the temporary directories for inspection.
 */

let workDir = '';
let packed: Packed | undefined;
const installs = new Map<string, Promise<string>>();
const compilers = (): Record<AppCase['ts'], Compiler> => {
  const tsDir = join(workDir, 'typescript', 'node_modules');
  return {
    '5.0': { label: '5.0', tsc: join(tsDir, 'typescript-5.0', 'bin', 'tsc') },
    '5': { label: '5', tsc: join(tsDir, 'typescript-5', 'bin', 'tsc') },
    '7': { label: '7', tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc') },
  };
};

/** The installed fixture's directory; fails when packing or its install failed. */
function installed(fixture: string): Promise<string> {
  const done = installs.get(fixture);
  assert.ok(done, `not checked: packing failed (see the first test)`);
  return done;
}

/** Compiles and runs one case once; every test of the case awaits the same promise. */
const caseRuns = new Map<string, Promise<CaseRun>>();
function caseRun(
  key: string,
  fixture: string,
  source: string,
  compiler: AppCase['ts'],
  module: ModuleSetting,
  skipLibCheck = false,
): Promise<CaseRun> {
  let pending = caseRuns.get(key);
  if (!pending) {
    pending = installed(fixture).then((dir) =>
      limited(async () => {
        const outDir = `build-${key.replace(/\W+/g, '-')}`;
        const ts = compilers()[compiler];
        const compiled = await compile(ts, dir, source, module, outDir, skipLibCheck);
        if (compiled.code !== 0) return { compiled };
        const script = join(outDir, source.replace(/\.ts$/, '.js'));
        const env = childEnv({ COMPAT_REQUESTS: String(REQUESTS) });
        return { compiled, ran: await run(process.execPath, [script], dir, RUN_TIMEOUT_MS, env) };
      }),
    );
    pending.catch(() => undefined); // awaited by the tests; not an unhandled rejection
    caseRuns.set(key, pending);
  }
  return pending;
}

const appCaseKey = (c: AppCase) => `${c.fixture}-ts${c.ts}-${c.module}`;
const appCaseRun = (c: AppCase) =>
  caseRun(appCaseKey(c), c.fixture, 'app.ts', c.ts, c.module, c.skipLibCheck);
const coreCaseRun = (c: (typeof CORE_CASES)[number]) =>
  caseRun(`core-ts${c.ts}-${c.module}`, 'core', 'core.ts', c.ts, c.module);

before(async () => {
  workDir = await realpath(await mkdtemp(join(tmpdir(), 'dynamo-compat-')));
});

after(async () => {
  if (!workDir) return;
  if (process.env.COMPAT_KEEP_TMP) process.stdout.write(`kept ${workDir}\n`);
  else await rm(workDir, { recursive: true, force: true });
});

describe('the packed package', { timeout: SUITE_TIMEOUT_MS }, () => {
  it(
    'npm pack from a clean tree builds it (prepack)',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      packed = await packCleanTree(workDir);
      process.stdout.write(`packed ${packed.files.length} files in ${packed.ms} ms\n`);
      // Every install starts now, in parallel; the tests below await theirs.
      const tarball = packed.tarball;
      const install = (fixture: string, withTarball: boolean, extra: string[] = []) => {
        const dir = join(workDir, fixture);
        const done = installFixture(fixture, dir, withTarball ? tarball : undefined, extra).then(
          async ({ ci, add }) => {
            const addMs = add ? `, npm install .tgz ${add.ms} ms` : '';
            process.stdout.write(`${fixture}: npm ci ${ci.ms} ms${addMs}\n`);
            const sources = fixture === 'core' ? ['core/core.ts', 'core/core.mjs'] : ['app/app.ts'];
            for (const source of sources) {
              await copyFile(join(FIXTURES, source), join(dir, basename(source)));
            }
            return dir;
          },
        );
        done.catch(() => undefined);
        installs.set(fixture, done);
      };
      install('typescript', false);
      for (const fixture of ['nest11', 'nest12', 'nest12-esm']) install(fixture, true);
      // --omit=peer: the peers (@nestjs/*, and @willsoto's) stay out, as in a plain Node project.
      install('core', true, ['--omit=peer']);
      // Compiles and runs start as soon as their fixture is installed, two at a time.
      for (const c of APP_CASES) appCaseRun(c);
      for (const c of CORE_CASES) coreCaseRun(c);
    },
  );

  it('ships exactly the built code, typings, status page files, deploy/, README, LICENSE and package.json', () => {
    assert.ok(packed, 'not checked: npm pack failed');
    const { files } = packed;
    const STATUS_PAGE_ASSETS =
      /^dist\/src\/exposure\/status-page\/assets\/[\w.-]+\.(mjs|html|css|svg)$/;
    const extra = files.filter(
      (f) =>
        !['LICENSE', 'README.md', 'package.json'].includes(f) &&
        !/^dist\/src\/.+\.(js|d\.ts)$/.test(f) &&
        !STATUS_PAGE_ASSETS.test(f) &&
        !f.startsWith('deploy/'),
    );
    assert.deepEqual(extra, []);
    assert.ok(
      files.includes('dist/src/exposure/status-page/assets/index.html'),
      'the status page ships its files',
    );
    for (const f of [
      'LICENSE',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/core/public-api.js',
      'dist/src/core/public-api.d.ts',
    ]) {
      assert.ok(files.includes(f), `the tarball lacks ${f}`);
    }
    assert.deepEqual(
      files.filter((f) => f.startsWith('dist/src/internal.')),
      [],
      'the internal entry stays out',
    );
    // Every .js has its typings.
    const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    assert.deepEqual(
      js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts'))),
      [],
    );
  });

  it('LICENSE is the Apache License 2.0, as package.json says', async () => {
    assert.ok(packed, 'not checked: npm pack failed');
    const license = await readFile(join(packed.tree, 'LICENSE'), 'utf8');
    assert.match(license, /^Apache License\s+Version 2\.0, January 2004\s/);
    assert.match(license, /END OF TERMS AND CONDITIONS\s*$/);
    const pkg = JSON.parse(await readFile(join(packed.tree, 'package.json'), 'utf8')) as {
      license: string;
    };
    assert.equal(pkg.license, 'Apache-2.0');
  });

  it('no typing uses an import() type with resolution-mode (TypeScript < 5.3 cannot parse it)', async () => {
    assert.ok(packed, 'not checked: npm pack failed');
    const found = [...(await declarations(packed.tree))]
      .filter(
        ([, text]) =>
          /import\(\s*["'][^"']+["']\s*,/.test(text) || text.includes('resolution-mode'),
      )
      .map(([file]) => file);
    assert.deepEqual(found, []);
  });

  it('the compilers are TypeScript 5.0, the newest 5.x and 7.x', async () => {
    await installed('typescript');
    const want = { '5.0': /^Version 5\.0\./, '5': /^Version 5\.9\./, '7': /^Version 7\./ };
    for (const [label, ts] of Object.entries(compilers())) {
      const version = await run(process.execPath, [ts.tsc, '--version'], ROOT, RUN_TIMEOUT_MS);
      assert.match(version.stdout.trim(), want[label as AppCase['ts']], `tsc ${label}`);
    }
  });
});

for (const c of APP_CASES) {
  const key = appCaseKey(c);
  const title =
    `NestJS ${c.nest} (${c.output === 'esm' ? 'ESM' : 'CommonJS'} app), TypeScript ${c.ts}` +
    `${c.ts === '5' ? ' (newest 5.x)' : ''}, module ${c.module}` +
    `${c.skipLibCheck ? ', skipLibCheck on' : ''}`;
  describe(title, { timeout: SUITE_TIMEOUT_MS }, () => {
    let dir = '';
    const report = async () => {
      dir = await installed(c.fixture);
      return reportOf(appCaseRun(c), dir);
    };

    it(`compiles with skipLibCheck ${c.skipLibCheck ? 'on' : 'off'}`, async () => {
      const { compiled } = await appCaseRun(c);
      assertRan(compiled, `tsc ${c.ts}`, await installed(c.fixture));
    });

    it(`runs as ${c.output} on NestJS ${c.nest}.x, from the installed tarball`, async () => {
      const r = await report();
      assert.equal(field(r, 'module-kind'), c.output);
      assert.match(field(r, 'nest-version'), new RegExp(`^${c.nest}\\.`));
      const pkg = join(dir, 'node_modules', 'nestjs-dynamo-metrics') + sep;
      assert.equal(field(r, 'library'), `${pkg}dist${sep}src${sep}index.js`);
      assert.equal(await realpath(field(r, 'library')), field(r, 'library'), 'not a link');
      assert.equal(field(r, 'library-core'), `${pkg}dist${sep}src${sep}core${sep}public-api.js`);
      // One copy of each: the package uses the app's Nest and prom-client.
      assert.equal(field(r, 'library-nestjs-common'), field(r, 'app-nestjs-common'));
      assert.equal(field(r, 'library-prom-client'), field(r, 'app-prom-client'));
    });

    it('./core is the same code as the main entry, and works on its own', async () => {
      const r = await report();
      assert.equal(field(r, 'core-same-class'), 'true');
      assert.equal(
        field(r, 'core-sample'),
        'core_hits_total{namespace="ns",component="c",endpoint="e"} 2',
      );
    });

    it('serves the route through the guard, and /metrics past it (isDynamoMetricsRoute)', async () => {
      const r = await report();
      assert.equal(field(r, 'requests-sent'), String(REQUESTS));
      assert.equal(field(r, 'response-statuses'), Array(REQUESTS).fill(200).join(','));
      assert.equal(field(r, 'unguarded-status'), '403');
      assert.equal(field(r, 'metrics-status'), '200');
    });

    it('records the @DynamoEndpoint() route and the injected Component', async () => {
      const s = (await report()).metrics;
      assert.equal(s.get('dynamo_requests_total', WORKER), REQUESTS);
      assert.equal(s.get('dynamo_concurrent_requests', WORKER), 0);
      assert.equal(s.get('dynamo_request_duration_seconds_count', WORKER), REQUESTS);
      assert.ok(s.get('dynamo_response_bytes_total', WORKER) > 0, 'dynamo_response_bytes_total');
      for (const error_type of ['client_error', 'handler_error', 'stream_error', 'cancelled']) {
        assert.equal(s.get('dynamo_errors_total', { ...WORKER, error_type }), 0, error_type);
      }
      const component = { namespace: 'dynamo', component: 'greeting' };
      assert.equal(s.get('dynamo_greetings_total', component), REQUESTS);
    });

    it('exports no LLM frontend families (the app has no frontend endpoint)', async () => {
      const names = [...(await report()).metrics.names()];
      assert.deepEqual(
        names.filter((n) => n.startsWith('nv_llm_http_service_')),
        [],
      );
      assert.ok(names.includes('dynamo_requests_total'), 'the parser saw the output');
    });

    it('logs nothing on stderr (Nest logger at warn)', async () => {
      await report();
      const { ran } = await caseRuns.get(key)!;
      assert.equal(ran!.stderr, '', `stderr:\n${tail(ran!.stderr)}`);
    });
  });
}

describe('nestjs-dynamo-metrics/core in plain Node, no @nestjs/* installed', () => {
  it('the install holds no @nestjs/* package', async () => {
    const dir = await installed('core');
    assert.equal(existsSync(join(dir, 'node_modules', '@nestjs')), false);
    assert.ok(existsSync(join(dir, 'node_modules', 'nestjs-dynamo-metrics', 'package.json')));
  });

  for (const c of CORE_CASES) {
    it(`TypeScript ${c.ts}, module ${c.module}, skipLibCheck off: compiles, runs, records`, async () => {
      const dir = await installed('core');
      const r = await reportOf(coreCaseRun(c), dir);
      assert.equal(field(r, 'nestjs-installed'), 'false');
      assert.equal(field(r, 'nestjs-loaded'), '0');
      assert.equal(field(r, 'refused'), 'DynamoMetricsError');
      const at = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };
      assert.equal(r.metrics.get('dynamo_jobs_total', at), 3);
      assert.equal(r.metrics.get('dynamo_requests_total', at), 1);
      assert.equal(r.metrics.get('dynamo_request_duration_seconds_sum', at), 0.25);
    });
  }

  it('an ES module imports it by name (top-level await)', async () => {
    const dir = await installed('core');
    const ran = await run(process.execPath, ['core.mjs'], dir, RUN_TIMEOUT_MS);
    assertRan(ran, 'node core.mjs', dir);
    const s = new Scrape(ran.stdout);
    const at = { namespace: 'dynamo', component: 'backend', endpoint: 'generate' };
    assert.equal(s.get('dynamo_requests_total', at), 1);
  });
});
