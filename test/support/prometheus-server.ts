import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchChild } from './child-process';
import { freePort } from './net';
import { poll, StopWaiting } from './poll';

/**
 * A real Prometheus server for end-to-end tests: its own fresh temp dir (config + TSDB), listening
 * on 127.0.0.1 only. Not a test file.
 */

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: PromSample[] | [number, string] };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface PrometheusServer {
  url: string;
  dir: string;
  child: ChildProcess;
  output(): string;
  query(expr: string): Promise<PromResponse>;
  /** Vector result of `expr`; throws on an API error. */
  vector(expr: string): Promise<PromSample[]>;
  /** `/api/v1/query_exemplars` over the last hour: trace ids seen per series. */
  exemplarTraceIds(expr: string): Promise<string[]>;
  /** The single value of a one-element vector result, or undefined when empty. */
  scalar(expr: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Writes `config` (plus `files`, relative to the temp dir) and starts
 * `prometheus --config.file --storage.tsdb.path --web.listen-address=127.0.0.1:<free port>`;
 * resolves when /-/ready answers 200.
 */
export async function startPrometheus(
  binary: string,
  config: string | ((dir: string) => string),
  files: Record<string, string> = {},
  /** Further command-line flags, e.g. `--enable-feature=exemplar-storage`. */
  extraArgs: string[] = [],
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dynamo-prom-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, typeof config === 'string' ? config : config(dir));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const watched = watchChild(child);
  const url = `http://127.0.0.1:${port}`;
  const server: PrometheusServer = {
    url,
    dir,
    child,
    output: watched.output,
    async query(expr: string) {
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }).toString(),
      });
      return (await res.json()) as PromResponse;
    },
    async vector(expr: string) {
      const r = await server.query(expr);
      if (r.status !== 'success' || r.data?.resultType !== 'vector') {
        throw new Error(`query ${expr} failed: ${JSON.stringify(r)}`);
      }
      return r.data.result as PromSample[];
    },
    async exemplarTraceIds(expr: string) {
      const end = Date.now() / 1000;
      const params = new URLSearchParams({
        query: expr,
        start: String(end - 3600),
        end: String(end + 60),
      });
      const res = await fetch(`${url}/api/v1/query_exemplars?${params}`);
      const body = (await res.json()) as {
        status: string;
        data?: Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
      };
      if (body.status !== 'success')
        throw new Error(`query_exemplars ${expr}: ${JSON.stringify(body)}`);
      return (body.data ?? []).flatMap((s) => s.exemplars.map((e) => e.labels.trace_id ?? ''));
    },
    async scalar(expr: string) {
      const result = await server.vector(expr);
      if (result.length > 1) throw new Error(`${expr}: ${result.length} series, wanted one`);
      return result.length ? Number(result[0]!.value[1]) : undefined;
    },
    async stop() {
      await watched.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await poll(
      () => `prometheus on ${url}; output so far:\n${watched.output()}`,
      async () => {
        if (watched.exited()) {
          throw new StopWaiting(`prometheus ${watched.exited()}:\n${watched.output()}`);
        }
        const res = await fetch(`${url}/-/ready`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** A scrape config for loopback targets, 1 s interval and timeout. */
export function fastScrapeConfig(jobs: string): string {
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    jobs,
    '',
  ].join('\n');
}
