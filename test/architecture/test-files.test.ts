import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * Tests you can navigate: no `.ts` file under test/ (tests, fixtures, helpers) over MAX_LINES
 * lines. A long file is split by behaviour, into files whose names say which; what the pieces
 * share goes into one fixture or helper module. Read from the sources, like layers.test.ts.
 */
const MAX_LINES = 400;

// Compiled to dist/test/architecture: the test sources are three levels up.
const TEST = resolve(__dirname, '../../../test');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Lines as `wc -l` counts them, plus a last line without a newline. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

test(`no .ts file under test/ over ${MAX_LINES} lines`, () => {
  const long = tsFiles(TEST)
    .map((f) => ({ file: `test/${relative(TEST, f)}`, lines: lineCount(readFileSync(f, 'utf8')) }))
    .filter(({ lines }) => lines > MAX_LINES);
  assert.deepEqual(
    long,
    [],
    `split these by behaviour (at most ${MAX_LINES} lines each): ` +
      long.map(({ file, lines }) => `${file} has ${lines} lines`).join(', '),
  );
});

test('the check itself counts lines as wc -l does and sees every test file', () => {
  assert.equal(lineCount('a\nb\n'), 2);
  assert.equal(lineCount('a\nb'), 2);
  assert.equal(lineCount(`${'x\n'.repeat(MAX_LINES + 1)}`), MAX_LINES + 1);
  const files = tsFiles(TEST).map((f) => relative(TEST, f));
  assert.ok(files.includes(join('architecture', 'test-files.test.ts')), `found ${files.length}`);
  assert.ok(files.length > 100, `found only ${files.length} .ts files under ${TEST}`);
});
