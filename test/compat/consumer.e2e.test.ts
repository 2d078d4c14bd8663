import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scrape } from '../support/exposition-parser';
import {
  assertRan,
  FIXTURES,
  installFixture,
  INSTALL_TIMEOUT_MS,
  Packed,
  packCleanTree,
  ROOT,
  run,
  RUN_TIMEOUT_MS,
  tail,
} from './compat-support';
import { readmeSnippets, writeSnippetProject } from './readme-snippets';

/**
 * The packed package from a consumer's side (issue 24, "first hour"):
 * - package.json declares each key once, TypeScript is an optional peer, and links to the
 *   repository, so the registry page's links and image resolve;
 * - installed into an app without TypeScript (test/compat/nest12's lock file: a plain JavaScript
 *   NestJS 12 app), it brings no `typescript`, and test/compat/js-app/app.js runs and records;
 * - every TypeScript snippet of the README compiles against the installed typings under
 *   `strict` and `exactOptionalPropertyTypes`;
 * - the Grafana dashboards and Prometheus configs ship in the tarball (deploy/).
 */

let workDir = '';
let packed: Packed | undefined;
let appDir: Promise<string> | undefined;

before(async () => {
  workDir = await realpath(await mkdtemp(join(tmpdir(), 'dynamo-consumer-')));
});

after(async () => {
  if (workDir && !process.env.COMPAT_KEEP_TMP) await rm(workDir, { recursive: true, force: true });
});

const installed = (): Promise<string> => {
  assert.ok(appDir, 'not checked: packing failed (see the first test)');
  return appDir;
};

describe('the package as a consumer gets it', { timeout: 2 * INSTALL_TIMEOUT_MS }, () => {
  it(
    'packs from a clean tree, and installs into a JavaScript app',
    { timeout: INSTALL_TIMEOUT_MS },
    async () => {
      packed = await packCleanTree(workDir);
      const dir = join(workDir, 'js-app');
      appDir = installFixture('nest12', dir, packed.tarball).then(async () => {
        await copyFile(join(FIXTURES, 'js-app', 'app.js'), join(dir, 'app.js'));
        return dir;
      });
      appDir.catch(() => undefined);
      await appDir;
    },
  );

  it('package.json: each key once, TypeScript an optional peer, repository links', async () => {
    const text = await readFile(join(ROOT, 'package.json'), 'utf8');
    const keys = [...text.matchAll(/^ {2}"([^"]+)":/gm)].map((m) => m[1]!);
    assert.deepEqual(
      keys.filter((k, i) => keys.indexOf(k) !== i),
      [],
      'duplicated top-level keys',
    );
    const pkg = JSON.parse(text) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      repository: { url: string };
      homepage: string;
      bugs: { url: string };
    };
    assert.equal(pkg.peerDependenciesMeta.typescript?.optional, true);
    assert.equal(pkg.peerDependenciesMeta['@opentelemetry/api']?.optional, true);
    assert.match(pkg.repository.url, /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    assert.equal(pkg.homepage, `${repo}#readme`);
    assert.equal(pkg.bugs.url, `${repo}/issues`);
  });

  it('the JavaScript app has no typescript in node_modules', async () => {
    const dir = await installed();
    assert.ok(existsSync(join(dir, 'node_modules', 'nestjs-dynamo-metrics', 'package.json')));
    assert.equal(existsSync(join(dir, 'node_modules', 'typescript')), false);
  });

  it('the JavaScript app runs and records its decorated route', async () => {
    const dir = await installed();
    const ran = await run(process.execPath, ['app.js'], dir, RUN_TIMEOUT_MS);
    assertRan(ran, 'node app.js', dir);
    assert.match(ran.stdout, /^requests: 200,200,200$/m);
    const body = ran.stdout.slice(ran.stdout.indexOf('--- metrics ---\n') + 16);
    const s = new Scrape(body.slice(0, body.indexOf('--- end metrics ---')));
    const at = { namespace: 'dynamo', component: 'hello', endpoint: 'hello' };
    assert.equal(s.get('dynamo_requests_total', at), 3, tail(ran.stdout));
    assert.equal(ran.stderr, '');
  });

  it('every TypeScript snippet of the README compiles (strict, exactOptionalPropertyTypes)', async () => {
    const dir = await installed();
    const snippets = await readmeSnippets();
    assert.ok(snippets.length >= 15, `found ${snippets.length} snippets`);
    const { config, toReadme } = await writeSnippetProject(dir, snippets);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await run(process.execPath, [tsc, '-p', config], dir, RUN_TIMEOUT_MS);
    assert.equal(compiled.code, 0, toReadme(`${compiled.stdout}\n${compiled.stderr}`));
  });

  it('ships the Grafana dashboards and Prometheus configs (deploy/)', () => {
    assert.ok(packed, 'not checked: npm pack failed');
    for (const file of [
      'deploy/README.md',
      'deploy/prometheus.yml',
      'deploy/docker-compose.yml',
      'deploy/grafana/dashboards/dynamo-nestjs.json',
      'deploy/grafana/dashboards/dynamo-component.json',
    ]) {
      assert.ok(packed.files.includes(file), `the tarball lacks ${file}`);
    }
  });
});
