import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * The package's surface, as its `exports` map gives it: the main entry exports what users call
 * (README "Public API"), `./core` the framework-free part and loads no @nestjs/* module, and
 * nothing else is reachable. Read from the build (dist/src), as the package ships it.
 */

// Compiled to dist/test/architecture: the repository is three levels up.
const ROOT = resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
  files: string[];
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
  engines: Record<string, string>;
};

// Runtime values only; the types are in the API report (test/api/), checked by api-report.test.ts.
const CORE = [
  'Component',
  'CounterSeries',
  'DistributedRuntime',
  'DynamoMetricsError',
  'Endpoint',
  'GaugeSeries',
  'HistogramSeries',
  'MetricsLevel',
  'Namespace',
  'OPENMETRICS_CONTENT_TYPE',
  'OVERFLOW_LABEL_VALUE',
  'WorkerMetrics',
  'enableClusterWorker',
  'traceExemplar',
];
const NEST = [
  'DynamoEndpoint',
  'DynamoMetricsModule',
  'FrontendMetrics',
  'HealthService',
  'InjectComponent',
  'InjectEndpoint',
  'InjectNamespace',
  'LlmFrontendEndpoint',
  'SystemServer',
  'isDynamoMetricsRoute',
  'startClusterMetricsServer',
];

const entry = (subpath: string) => {
  const target = pkg.exports[subpath];
  assert.ok(target && typeof target === 'object', `exports["${subpath}"]`);
  return target;
};
const runtimeNames = (file: string) =>
  Object.keys(require(join(ROOT, file)) as object).sort((a, b) => a.localeCompare(b));
const sorted = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b));

test('the exports map: ".", "./core" and package.json; nothing else', () => {
  assert.deepEqual(Object.keys(pkg.exports), ['.', './core', './package.json']);
  for (const subpath of ['.', './core']) {
    const { types, default: js } = entry(subpath);
    assert.ok(existsSync(join(ROOT, js)), js);
    assert.ok(existsSync(join(ROOT, types)), types);
    assert.equal(types, js.replace(/\.js$/, '.d.ts'));
  }
  assert.equal(`./${pkg.main}`, entry('.').default);
  assert.equal(`./${pkg.types}`, entry('.').types);
  // TypeScript's node10 resolution (module commonjs before TS 6) ignores `exports`.
  assert.deepEqual(pkg.typesVersions, { '*': { core: [entry('./core').types] } });
});

test('the main entry exports what users call', () => {
  assert.deepEqual(runtimeNames(entry('.').default), sorted([...CORE, ...NEST]));
});

test('./core exports the framework-free part and loads no @nestjs/* module', () => {
  assert.deepEqual(runtimeNames(entry('./core').default), sorted(CORE));
  const script =
    `require(${JSON.stringify(join(ROOT, entry('./core').default))});` +
    `process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const loaded = JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
  ) as string[];
  assert.deepEqual(
    loaded.filter((f) => f.includes('@nestjs') || f.includes('@willsoto')),
    [],
  );
  assert.ok(
    loaded.some((f) => f.includes('prom-client')),
    'the check sees node_modules',
  );
});

test('package.json: prepack builds; files hold the build only; the supported ranges', () => {
  assert.equal(pkg.scripts.prepack, 'npm run build');
  assert.match(pkg.scripts.build!, /tsc -p tsconfig\.build\.json && npm run build:assets$/);
  assert.deepEqual(pkg.files, [
    'dist/src/**/*.js',
    'dist/src/**/*.d.ts',
    'dist/src/exposure/status-page/assets',
    '!dist/src/internal.*',
    'deploy',
  ]);
  assert.equal(pkg.peerDependencies.typescript, '>=5.0');
  assert.equal(pkg.engines.node, '>=20.19');
});
