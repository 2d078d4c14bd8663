import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { Scrape } from '../support/exposition-parser';

/**
 * The BUILT package as a user gets it: `npm pack` of the repository (dist/src, built by
 * `npm test` before the tests run), installed with npm into a fresh NestJS app outside the
 * repository, then a plain CommonJS app (test/compat/nest11/app.js) that `require()`s it, serves a
 * `@DynamoEndpoint()` route and its in-app `/metrics`, and exits.
 *
 * - NestJS 11 (test/compat/nest11/: package.json + package-lock.json, Nest 11.2.x, CommonJS);
 * - NestJS 12 (test/compat/nest12/: the same app, Nest 12.x, ESM-only, which Node >= 20.19 loads
 *   from the CommonJS app and library through require(esm)).
 *
 * Both installs reach the npm registry (`npm ci` from the fixture's lock file, then
 * `npm install --no-save <the .tgz>`); they take about 10-15 s each here with a warm npm cache.
 * COMPAT_KEEP_TMP=1 keeps the temporary directories for inspection.
 */

const ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'compat');
const REQUESTS = 4;
const INSTALL_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 60_000;
/** Per Nest version: pack (once), two installs, one run, with room to spare. */
const SUITE_TIMEOUT_MS = 3 * INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS + 60_000;
const WORKER = { namespace: 'dynamo', component: 'greeting', endpoint: 'hello' };

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment for npm and the app: no DYN_* (the app's forRoot options apply as written). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('DYN_')) continue;
    // Set by `npm test` for the repository; the installs below belong to other projects.
    if (name === 'npm_config_local_prefix' || name.startsWith('npm_package_')) continue;
    if (name.startsWith('npm_lifecycle_')) continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion (never throws for a non-zero exit; the caller judges). */
function run(
  file: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const ms = Date.now() - started;
        const err = error as (NodeJS.ErrnoException & { code?: unknown; signal?: string }) | null;
        if (err && typeof err.code === 'string') {
          // Spawning failed (ENOENT and the like): there is no exit code to judge.
          reject(
            err.code === 'ENOENT'
              ? new Error(
                  `"${file}" is not on PATH (${err.message}). This test packs the library and ` +
                    `installs it with npm; install Node.js with npm to run it.`,
                )
              : err,
          );
          return;
        }
        resolvePromise({
          code: err ? ((err.code as number | undefined) ?? null) : 0,
          signal: err?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          ms,
        });
      },
    );
  });
}

const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** Runs npm and fails with its command, exit, timing and output when it does not exit 0. */
async function npm(args: string[], cwd: string, what: string): Promise<Run> {
  const result = await run('npm', args, cwd, INSTALL_TIMEOUT_MS);
  if (result.code !== 0) {
    const timedOut = result.signal === 'SIGKILL' ? ` (killed after ${INSTALL_TIMEOUT_MS} ms)` : '';
    throw new Error(
      `${what} failed: npm ${args.join(' ')} in ${cwd} exited ${result.code ?? result.signal}` +
        `${timedOut} after ${result.ms} ms. It needs the npm registry (network).\n` +
        `--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout)}`,
    );
  }
  return result;
}

/** What app.js prints: `key: value` lines, then the /metrics body between marker lines. */
interface AppReport {
  fields: Map<string, string>;
  metrics: Scrape;
}

function parseReport(stdout: string): AppReport {
  const start = stdout.indexOf('--- metrics ---\n');
  const end = stdout.indexOf('\n--- end metrics ---');
  assert.ok(start >= 0 && end > start, `app.js printed no metrics section:\n${tail(stdout)}`);
  const fields = new Map<string, string>();
  for (const line of stdout.slice(0, start).split('\n')) {
    const m = /^([a-z-]+): (.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  return { fields, metrics: new Scrape(stdout.slice(start + '--- metrics ---\n'.length, end)) };
}

function field(report: AppReport, name: string): string {
  const value = report.fields.get(name);
  assert.ok(value !== undefined, `app.js printed no "${name}:" line`);
  return value;
}

let workDir: string | undefined;
let packing: Promise<string> | undefined;

/** Packs the built library once (for both versions); resolves with the .tgz path. */
function packOnce(): Promise<string> {
  packing ??= pack();
  return packing;
}

async function pack(): Promise<string> {
  const index = join(ROOT, 'dist', 'src', 'index.js');
  await stat(index).catch(() => {
    throw new Error(
      `${index} is missing: build the library first (npm run build, or npm test, which runs ` +
        `build:all). This test packs the built package; it does not build it.`,
    );
  });
  await run('npm', ['--version'], ROOT, 30_000); // a clear error when npm is missing
  workDir = await realpath(await mkdtemp(join(tmpdir(), 'dynamo-compat-')));
  const packDir = join(workDir, 'pack');
  await mkdir(packDir);
  // --ignore-scripts: pack exactly the dist/src that is there (no lifecycle rebuild).
  const packed = await npm(
    ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir],
    ROOT,
    'npm pack',
  );
  const [info] = JSON.parse(packed.stdout) as Array<{
    filename: string;
    files: { path: string }[];
  }>;
  assert.ok(info, `npm pack --json printed nothing usable: ${packed.stdout}`);
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('dist/src/index.js'), `the tarball lacks dist/src/index.js: ${files}`);
  assert.ok(files.includes('dist/src/index.d.ts'), `the tarball lacks dist/src/index.d.ts`);
  const stray = files.filter((f) => !f.startsWith('dist/src/') && !/^[^/]+$/.test(f));
  assert.deepEqual(stray, [], 'the tarball holds only dist/src and top-level files');
  process.stdout.write(`packed ${info.filename} (${files.length} files) in ${packed.ms} ms\n`);
  return join(packDir, info.filename);
}

after(async () => {
  if (!workDir) return;
  if (process.env.COMPAT_KEEP_TMP) process.stdout.write(`kept ${workDir}\n`);
  else await rm(workDir, { recursive: true, force: true });
});

for (const major of [11, 12] as const) {
  describe(
    `the packed library in a CommonJS NestJS ${major} app`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let appDir = '';
      let ran: { result: Run; report: AppReport } | undefined;
      /** What the checks below read; they fail (not skip) when the install or run failed. */
      const app = () => {
        assert.ok(ran, `not checked: packing, installing or running app.js failed (see above)`);
        return ran;
      };

      // A test, not a hook: a failure here counts as a failed test in the summary.
      it(
        'packs, installs from the lock file and runs app.js (exit 0)',
        { timeout: 3 * INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS },
        async () => {
          const tarball = await packOnce();
          appDir = join(workDir!, `nest${major}`);
          await mkdir(appDir);
          const fixture = join(FIXTURES, `nest${major}`);
          await copyFile(join(fixture, 'package.json'), join(appDir, 'package.json'));
          await copyFile(join(fixture, 'package-lock.json'), join(appDir, 'package-lock.json'));
          // One app for both versions.
          await copyFile(join(FIXTURES, 'nest11', 'app.js'), join(appDir, 'app.js'));

          const ci = await npm(['ci', '--no-audit', '--no-fund'], appDir, `npm ci (Nest ${major})`);
          const add = await npm(
            ['install', '--no-save', '--no-audit', '--no-fund', tarball],
            appDir,
            `npm install of the .tgz (Nest ${major})`,
          );
          const result = await run(
            process.execPath,
            ['app.js'],
            appDir,
            RUN_TIMEOUT_MS,
            childEnv({ COMPAT_REQUESTS: String(REQUESTS) }),
          );
          process.stdout.write(
            `Nest ${major}: npm ci ${ci.ms} ms, npm install .tgz ${add.ms} ms, ` +
              `node app.js ${result.ms} ms (exit ${result.code ?? result.signal})\n`,
          );
          assert.equal(
            result.code,
            0,
            `node app.js exited ${result.code ?? result.signal} in ${appDir}\n` +
              `--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout)}`,
          );
          ran = { result, report: parseReport(result.stdout) };
        },
      );

      it(`runs on NestJS ${major}.x`, () => {
        assert.match(field(app().report, 'nest-version'), new RegExp(`^${major}\\.`));
      });

      it('uses the installed tarball, with one copy of Nest and prom-client', async () => {
        const { report } = app();
        const installed = join(appDir, 'node_modules', 'nestjs-dynamo-metrics') + sep;
        const library = field(report, 'library');
        assert.ok(library.startsWith(installed), `loaded from ${library}, not from ${installed}`);
        // Not a link back into the repository.
        assert.equal(await realpath(library), library);
        assert.equal(field(report, 'library-nestjs-common'), field(report, 'app-nestjs-common'));
        assert.equal(field(report, 'library-prom-client'), field(report, 'app-prom-client'));
      });

      it('serves the route and /metrics', () => {
        const { report } = app();
        assert.equal(field(report, 'requests-sent'), String(REQUESTS));
        assert.equal(field(report, 'response-statuses'), Array(REQUESTS).fill(200).join(','));
        assert.equal(field(report, 'metrics-status'), '200');
      });

      it('records the @DynamoEndpoint() route', () => {
        const s = app().report.metrics;
        assert.equal(s.get('dynamo_requests_total', WORKER), REQUESTS);
        assert.equal(s.get('dynamo_concurrent_requests', WORKER), 0);
        assert.equal(s.get('dynamo_request_duration_seconds_count', WORKER), REQUESTS);
        assert.ok(s.get('dynamo_response_bytes_total', WORKER) > 0, 'dynamo_response_bytes_total');
        for (const error_type of ['client_error', 'handler_error', 'stream_error', 'cancelled']) {
          assert.equal(s.get('dynamo_errors_total', { ...WORKER, error_type }), 0, error_type);
        }
      });

      it('injects the @InjectComponent() Component into the provider', () => {
        const labels = { namespace: WORKER.namespace, component: WORKER.component };
        assert.equal(app().report.metrics.get('dynamo_greetings_total', labels), REQUESTS);
      });

      it('logs nothing on stderr (Nest logger at warn)', {}, () => {
        const { stderr } = app().result;
        assert.equal(stderr, '', `stderr of node app.js:\n${tail(stderr)}`);
      });
    },
  );
}
