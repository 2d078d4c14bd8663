import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DynamoMetricsError } from '../../core';
import { CONFIG_MESSAGES } from '../../config/config.messages';
import { STATUS_PAGE_HISTORY_PATH } from '../../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../../config/dynamo-metrics-options.interface';

/**
 * The status page's files (`assets/`, copied next to this file by the build): read once at
 * start-up, each with a content-hash ETag. The page's HTML gets the configured metrics path and
 * name prefixes in data attributes; the page itself finds the families in what `/metrics` says.
 */
export const STATUS_PAGE_ASSETS_DIR = join(__dirname, 'assets');

export interface StaticFile {
  body: string;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const PAGE = 'index.html';

export interface StatusPageFiles {
  page: StaticFile;
  /** By file name, served under STATUS_PAGE_ASSETS_PATH. */
  assets: Map<string, StaticFile>;
}

export function loadStatusPageFiles(
  config: DynamoMetricsConfig,
  dir = STATUS_PAGE_ASSETS_DIR,
): StatusPageFiles {
  if (!existsSync(join(dir, PAGE))) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.statusPageAssetsMissing(dir));
  }
  const assets = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (name !== PAGE && contentType) {
      assets.set(name, staticFile(readFileSync(join(dir, name), 'utf8'), contentType));
    }
  }
  const stems = pageStems(config);
  const values: Record<string, string> = {
    metricsPath: config.system.metricsPath,
    healthPath: config.system.healthPath,
    historyPath: STATUS_PAGE_HISTORY_PATH,
    workerStem: stems.worker,
    frontendStem: stems.frontend,
  };
  const html = readFileSync(join(dir, PAGE), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) =>
    escapeAttribute(values[key] ?? ''),
  );
  return { page: staticFile(html, CONTENT_TYPES['.html']!), assets };
}

/** The configured name stems (prefix and `_`) the page looks for first. */
export function pageStems(config: DynamoMetricsConfig): { worker: string; frontend: string } {
  return {
    worker: config.prefix === '' ? '' : `${config.prefix}_`,
    frontend: `${config.frontendPrefix}_`,
  };
}

function staticFile(body: string, contentType: string): StaticFile {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return { body, contentType, etag: `"${hash}"` };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Escapes a value for a double-quoted HTML attribute. */
export const escapeAttribute = (value: string): string =>
  value.replace(/[&"'<>]/g, (c) => ESCAPES[c]!);
