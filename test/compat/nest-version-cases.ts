import assert from 'node:assert/strict';
import { Scrape } from '../support/exposition-parser';
import {
  assertRan,
  INSTALL_TIMEOUT_MS,
  ModuleSetting,
  Run,
  RUN_TIMEOUT_MS,
  tail,
} from './compat-support';

/** The cases of nest-versions.e2e.test.ts and what reads their output. */

export const REQUESTS = 4;
export const WORKER = { namespace: 'dynamo', component: 'greeting', endpoint: 'hello' };
export const SUITE_TIMEOUT_MS = 2 * INSTALL_TIMEOUT_MS + 20 * RUN_TIMEOUT_MS;

export type Fixture = 'nest11' | 'nest12' | 'nest12-esm';
export interface AppCase {
  fixture: Fixture;
  nest: 11 | 12;
  output: 'commonjs' | 'esm';
  ts: '5.0' | '5' | '7';
  module: ModuleSetting;
  /** Only where TypeScript itself cannot check the installed typings (see the README). */
  skipLibCheck?: true;
}

export const APP_CASES: AppCase[] = [
  { fixture: 'nest11', nest: 11, output: 'commonjs', ts: '5.0', module: 'commonjs' },
  { fixture: 'nest11', nest: 11, output: 'commonjs', ts: '5', module: 'nodenext' },
  { fixture: 'nest11', nest: 11, output: 'commonjs', ts: '7', module: 'nodenext' },
  { fixture: 'nest12', nest: 12, output: 'commonjs', ts: '5.0', module: 'commonjs' },
  { fixture: 'nest12', nest: 12, output: 'commonjs', ts: '5', module: 'nodenext' },
  { fixture: 'nest12', nest: 12, output: 'commonjs', ts: '7', module: 'commonjs' },
  { fixture: 'nest12-esm', nest: 12, output: 'esm', ts: '5', module: 'nodenext' },
  { fixture: 'nest12-esm', nest: 12, output: 'esm', ts: '7', module: 'nodenext' },
  // TypeScript < 5.8 reports TS1479 in every CommonJS package's typings that import the
  // ESM-only Nest 12 (@willsoto/nestjs-prometheus's as well as ours): skipLibCheck is needed.
  {
    fixture: 'nest12-esm',
    nest: 12,
    output: 'esm',
    ts: '5.0',
    module: 'nodenext',
    skipLibCheck: true,
  },
];
export const CORE_CASES: Array<{ ts: AppCase['ts']; module: ModuleSetting }> = [
  { ts: '5.0', module: 'commonjs' },
  { ts: '7', module: 'nodenext' },
];

/** Two at a time: compiles and runs share the machine's cores with the installs. */
export let slots = 2;
export const waiting: Array<() => void> = [];
export async function limited<T>(job: () => Promise<T>): Promise<T> {
  while (slots === 0) await new Promise<void>((r) => waiting.push(r));
  slots--;
  try {
    return await job();
  } finally {
    slots++;
    waiting.shift()?.();
  }
}

export interface CaseRun {
  compiled: Run;
  ran?: Run;
}

export interface Report {
  fields: Map<string, string>;
  metrics: Scrape;
}

export function parseReport(stdout: string): Report {
  const start = stdout.indexOf('--- metrics ---\n');
  const end = stdout.indexOf('\n--- end metrics ---');
  assert.ok(start >= 0 && end > start, `no metrics section in the output:\n${tail(stdout)}`);
  const fields = new Map<string, string>();
  for (const line of stdout.slice(0, start).split('\n')) {
    const m = /^([a-z-]+): (.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  return { fields, metrics: new Scrape(stdout.slice(start + '--- metrics ---\n'.length, end)) };
}

export function field(report: Report, name: string): string {
  const value = report.fields.get(name);
  assert.ok(value !== undefined, `the script printed no "${name}:" line`);
  return value;
}

/** The run's report, failing with the compiler's or the app's output when either failed. */
export async function reportOf(pending: Promise<CaseRun>, where: string): Promise<Report> {
  const { compiled, ran } = await pending;
  assertRan(compiled, 'tsc', where);
  // caseRun runs every case that compiled: `ran` is set once tsc passed.
  assertRan(ran!, 'node', where);
  return parseReport(ran!.stdout);
}
