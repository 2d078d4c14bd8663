import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

/**
 * The layering of src/ (README, "How the code is laid out"): each folder may import only from
 * folders of a lower rank, features (same rank) never import each other, and the core imports
 * nothing from Nest. Read from the sources, so a wrong import fails here, not in review.
 */
const RANK: Record<string, number> = {
  core: 0,
  config: 1,
  instrumentation: 2,
  endpoint: 3,
  frontend: 3,
  'http-server': 3,
  exposure: 3,
  levels: 3,
  module: 4,
  'index.ts': 5,
  // Public API plus what tests reach; not in the package's exports map.
  'internal.ts': 6,
};
const MAX_LINES = 300;

// Compiled to dist/test/architecture: the sources are three levels up.
const SRC = resolve(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (file: string): string => relative(SRC, file).split(sep)[0]!;

function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

const files = sourceFiles(SRC);

test('every top-level entry of src/ has a rank', () => {
  const unknown = [...new Set(files.map(layerOf))].filter((layer) => !(layer in RANK));
  assert.deepEqual(unknown, [], `give these a rank in this test and the README: ${unknown}`);
});

test('imports point down: no lower layer imports a higher one, no feature imports another', () => {
  const wrong: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const rel = relative(SRC, target);
      // `../core` names the folder; `./index` would name a top-level file.
      const to = rel.startsWith('..')
        ? '(outside src)'
        : rel.includes(sep) || statSync(target, { throwIfNoEntry: false })?.isDirectory()
          ? layerOf(target)
          : `${rel}.ts`;
      if (to === from) continue;
      const ok = to in RANK && RANK[to]! < RANK[from]!;
      if (!ok) wrong.push(`${relative(SRC, file)} -> ${spec} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the core is framework-free: no @nestjs import under src/core', () => {
  const nest = files
    .filter((f) => layerOf(f) === 'core')
    .filter((f) => importsOf(readFileSync(f, 'utf8')).some((s) => s.startsWith('@nestjs/')))
    .map((f) => relative(SRC, f));
  assert.deepEqual(nest, []);
});

test(`no source file over ${MAX_LINES} lines`, () => {
  const long = files
    .map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length }))
    .filter(({ lines }) => lines > MAX_LINES);
  assert.deepEqual(long, []);
});

test('the check itself sees a wrong import', () => {
  // Guards against a regex that silently matches nothing.
  assert.deepEqual(importsOf(`import { x } from '../exposure/health.service';`), [
    '../exposure/health.service',
  ]);
  assert.ok(files.length > 40, `found only ${files.length} source files under ${SRC}`);
});
