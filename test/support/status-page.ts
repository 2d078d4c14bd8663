import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { requireBinary } from './binaries';

/**
 * Helpers of the status page tests (not a test file): the page's own browser modules loaded in
 * Node, and a real headless Chromium (Debian's `chromium`) driven by puppeteer-core.
 */

/** The page's files as the build ships them (dist/src/exposure/status-page/assets). */
export const ASSETS_DIR = join(__dirname, '..', '..', 'src', 'exposure', 'status-page', 'assets');

export interface Sample {
  labels: Record<string, string>;
  value: number;
}
export interface Scrape {
  samples: Map<string, Sample[]>;
  types: Map<string, string>;
}
export interface Reading {
  t: number;
  scrape: Scrape;
}
export interface WorkerRow {
  namespace: string;
  component: string;
  endpoint: string;
  requests: number;
  rate: number;
  inflight: number;
  errorRate: number;
  errors: Array<{ type: string; rate: number }>;
  p50: number;
  p99: number;
}
export interface ModelRow {
  model: string;
  requests: number;
  rate: number;
  successRate: number;
  errorRate: number;
  inflight: number;
  ttft: [number, number];
  itl: [number, number];
  tokenRate: number;
}
export interface Families {
  uptime?: string;
  worker?: { stem: string; requests: string; inflight: string; duration: string; errors: string };
  frontend?: {
    stem: string;
    requests: string;
    inflight: string;
    ttft: string;
    itl: string;
    outputTokens: string;
  };
}
export interface PageModules {
  parseExposition(text: string): Scrape;
  quantile(q: number, buckets: Array<[number, number]>): number;
  findFamilies(scrape: Scrape, hints?: { worker?: string; frontend?: string }): Families;
  derive(
    now: Reading,
    past: Reading | undefined,
    families: Families,
  ): { uptime?: number; workers: WorkerRow[]; models: ModelRow[] };
}

/** Imports the page's ES modules (plain browser JavaScript) into this CommonJS test. */
export async function loadPageModules(): Promise<PageModules> {
  const load = (name: string) => import(pathToFileURL(join(ASSETS_DIR, name)).href);
  const [parser, math, families] = await Promise.all([
    load('exposition-parser.mjs'),
    load('metric-math.mjs'),
    load('metric-families.mjs'),
  ]);
  return { ...parser, ...math, ...families } as PageModules;
}

/** What the browser reported that a clean page never reports. */
export interface BrowserProblems {
  list: string[];
}

/**
 * Launches Debian's chromium headless with a fresh profile, or skips (fails under CI=true) when
 * it is not installed. Closed, and its profile removed, when the test context ends.
 */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  const executablePath = requireBinary(t, 'chromium');
  if (!executablePath) return undefined;
  const { launch } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'status-page-chromium-'));
  const browser = await launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  t.after(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

/**
 * Records every console error or warning, uncaught exception, failed request, response of 400
 * or more and dialog (an alert() would mean injected script ran) of `page`.
 */
export function watchPage(page: Page): BrowserProblems {
  const problems: BrowserProblems = { list: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') {
      problems.list.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.list.push(`page error: ${String(err)}`));
  page.on('requestfailed', (req) =>
    problems.list.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.list.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.list.push(`dialog ${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}
