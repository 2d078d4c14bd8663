import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

/**
 * The public surface is a reviewed file: api-extractor's report of each entry, built from the
 * typings as they ship, is checked in under test/api/. A change to an export, a signature or a
 * public member fails here until `npm run api` rewrites the report, so it shows in review.
 */

// Compiled to dist/test/architecture: the repository is three levels up.
const ROOT = resolve(__dirname, '../../..');
const MAX_MAIN_EXPORTS = 40;

const REPORTS = [
  { config: 'api-extractor.json', report: 'nestjs-dynamo-metrics.api.md' },
  { config: 'api-extractor.core.json', report: 'nestjs-dynamo-metrics-core.api.md' },
];

/** The names a report exports (`export class X`, `export type X = ...`, ...). */
function exportedNames(report: string): string[] {
  // A class and an interface of the same name (declaration merging) are one export.
  const names = [...report.matchAll(/^export (?:declare )?(?:abstract )?\w+ (\w+)/gm)];
  return [...new Set(names.map((m) => m[1]!))];
}

for (const { config, report } of REPORTS) {
  test(`API report ${report}: the built typings match the checked-in report`, () => {
    const extractorConfig = ExtractorConfig.loadFileAndPrepare(join(ROOT, 'test/api', config));
    const messages: string[] = [];
    const result = Extractor.invoke(extractorConfig, {
      localBuild: false,
      messageCallback: (message) => {
        if (message.logLevel === 'error' || message.logLevel === 'warning') {
          messages.push(message.formatMessageWithLocation(ROOT));
        }
        message.handled = true;
      },
    });
    assert.equal(
      result.apiReportChanged,
      false,
      `The public API changed: run \`npm run api\` and commit test/api/${report}\n${messages.join('\n')}`,
    );
    assert.deepEqual(messages, []);
    assert.equal(result.succeeded, true);
  });
}

test(`the main entry exports at most ${MAX_MAIN_EXPORTS} names, the core entry a subset`, () => {
  const main = exportedNames(readFileSync(join(ROOT, 'test/api', REPORTS[0]!.report), 'utf8'));
  const core = exportedNames(readFileSync(join(ROOT, 'test/api', REPORTS[1]!.report), 'utf8'));
  assert.ok(main.length <= MAX_MAIN_EXPORTS, `${main.length} exports: ${main.join(', ')}`);
  assert.ok(core.length >= 10, `the report parses: ${core.join(', ')}`);
  assert.deepEqual(
    core.filter((name) => !main.includes(name)),
    [],
  );
});

test('the README lists every export, types included, under "Public API"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Public API\n');
  assert.ok(start >= 0, 'README has a "## Public API" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const main = exportedNames(readFileSync(join(ROOT, 'test/api', REPORTS[0]!.report), 'utf8'));
  assert.deepEqual(
    main.filter((name) => !section.includes(`\`${name}\``)),
    [],
  );
});

test('no @internal declaration reaches the shipped typings', () => {
  const shipped = readdirSync(join(ROOT, 'dist/src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts') && !file.startsWith('internal.'))
    .map((file) => join(ROOT, 'dist/src', file));
  assert.ok(shipped.length > 50, `${shipped.length} typings files`);
  assert.deepEqual(
    shipped.filter((file) => readFileSync(file, 'utf8').includes('@internal')),
    [],
  );
  // `withPrefix` is @internal in the source, public to the package's own layers.
  assert.doesNotMatch(
    readFileSync(join(ROOT, 'dist/src/core/hierarchy.d.ts'), 'utf8'),
    /withPrefix\(/,
  );
});
