import type { ServerResponse } from 'node:http';
import type { DynamoMetricsConfig } from '../../config/dynamo-metrics-options.interface';
import {
  STATUS_PAGE_ASSETS_PATH,
  STATUS_PAGE_HISTORY_PATH,
  STATUS_PAGE_PATH,
} from '../../config/dynamo-metrics.constants';
import { Route, send } from '../http-server.util';
import { loadStatusPageFiles, StaticFile } from './status-page.assets';
import type { StatusHistory } from './status-history.service';

/**
 * Only the page's own files run, load and connect: no inline script or style, no other origin,
 * no framing. The page reads /metrics and /health from this same server.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': STATUS_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The status page's routes for the system server (DYN_SYSTEM_STATUS_PAGE): the page at `/` and
 * `/status`, its files under `/status/assets/`, its last minutes at `/status/history`. Files are read here, at start-up. The browser
 * keeps them and revalidates with the ETag (304 when unchanged).
 */
export function statusPageRoutes(
  config: DynamoMetricsConfig,
  history: StatusHistory,
): Array<[string, Route]> {
  const { page, assets } = loadStatusPageFiles(config);
  const serve =
    (file: StaticFile): Route =>
    (req, res) =>
      sendFile(res, file, req.headers['if-none-match']);
  return [
    ['/', serve(page)],
    [STATUS_PAGE_PATH, serve(page)],
    [
      STATUS_PAGE_HISTORY_PATH,
      (_req, res) =>
        send(res, 200, 'application/json', JSON.stringify(history.snapshot()), {
          ...SECURITY_HEADERS,
          'cache-control': 'no-store',
        }),
    ],
    ...[...assets].map(([name, file]): [string, Route] => [
      STATUS_PAGE_ASSETS_PATH + name,
      serve(file),
    ]),
  ];
}

function sendFile(res: ServerResponse, file: StaticFile, ifNoneMatch?: string): void {
  const headers = { ...SECURITY_HEADERS, etag: file.etag, 'cache-control': 'no-cache' };
  if (ifNoneMatch?.split(/\s*,\s*/).includes(file.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  send(res, 200, file.contentType, file.body, headers);
}
