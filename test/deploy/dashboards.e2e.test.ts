import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { childEnv, killOnExit } from '../support/child-process';
import { poll } from '../support/poll';
import {
  fastScrapeConfig,
  PrometheusServer,
  PromSample,
  startPrometheus,
} from '../support/prometheus-server';
import {
  REPO_ROOT,
  SAMPLE_LOAD,
  SampleProcess,
  startSample,
  sumOf,
} from '../support/sample-process';

/**
 * deploy/: the Prometheus configs pass `promtool check config`, the compose file is well formed
 * and mounts files that exist, every dashboard uses the provisioned datasource, and, against a
 * real Prometheus scraping the sample app under the sample's own load generator, every query of
 * every panel of the main dashboard returns data. New panels are covered automatically.
 */

const DEPLOY = join(REPO_ROOT, 'deploy');
const DASHBOARDS = join(DEPLOY, 'grafana', 'dashboards');

interface DashboardQuery {
  file: string;
  dashboard: string;
  row: string | null;
  panel: string;
  panelId: number;
  refId: string;
  rawExpr: string;
  expr: string;
}

/** legendFormat of every target, by `panelId/refId` (rows' nested panels included). */
function legends(file: string): Map<string, string> {
  const out = new Map<string, string>();
  type Panel = {
    id: number;
    panels?: Panel[];
    targets?: Array<{ refId: string; legendFormat?: string }>;
  };
  const walk = (panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.legendFormat) out.set(`${panel.id}/${target.refId}`, target.legendFormat);
      }
      walk(panel.panels);
    }
  };
  walk((JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] }).panels);
  return out;
}

const { dashboardQueries } = require(join(DEPLOY, 'dashboard-queries.js')) as {
  dashboardQueries(dir: string, options?: { files?: string[] }): DashboardQuery[];
};

const where = (q: DashboardQuery) =>
  `${q.file} "${q.dashboard}" / panel "${q.panel}" [${q.refId}]\n  expr: ${q.expr}`;

function promtool(t: Parameters<typeof requireBinary>[0], args: string[]) {
  const bin = requireBinary(t, 'promtool');
  if (!bin) return undefined;
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('deploy/: static checks', () => {
  for (const file of ['prometheus.local.yml', 'prometheus.yml']) {
    it(`promtool check config deploy/${file}`, (t) => {
      const r = promtool(t, ['check', 'config', join(DEPLOY, file)]);
      if (!r) return;
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /SUCCESS/);
    });
  }

  it('prometheus.local.yml has the jobs of prometheus.yml, on 127.0.0.1', () => {
    const jobs = (text: string) => [...text.matchAll(/job_name:\s*(\S+)/g)].map((m) => m[1]);
    const targets = (text: string) =>
      [...text.matchAll(/targets:\s*\[([^\]]*)\]/g)].flatMap((m) =>
        m[1]!.split(',').map((x) => x.trim().replace(/^"|"$/g, '')),
      );
    const main = readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8');
    const local = readFileSync(join(DEPLOY, 'prometheus.local.yml'), 'utf8');
    assert.deepEqual(jobs(local), jobs(main));
    assert.deepEqual(
      targets(local).map((x) => x.split(':')[1]),
      targets(main).map((x) => x.split(':')[1]),
      'same ports',
    );
    for (const target of targets(local)) assert.match(target, /^127\.0\.0\.1:\d+$/);
  });

  it('docker-compose.yml is well formed and every file it mounts exists', () => {
    const text = readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8');
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      assert.ok(!line.includes('\t'), `line ${i + 1}: a tab in YAML`);
      const indent = line.length - line.trimStart().length;
      if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
        assert.equal(indent % 2, 0, `line ${i + 1}: indentation of ${indent}`);
      }
    }
    const topLevel = lines
      .filter((l) => /^[a-z_-]+:/.test(l))
      .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(topLevel.sort(), ['name', 'services', 'volumes']);

    // Services: two-space keys under `services:` up to the next top-level key.
    const block = (start: string) => {
      const from = lines.indexOf(start);
      assert.ok(from >= 0, `no ${start}`);
      const end = lines.findIndex((l, i) => i > from && /^\S/.test(l));
      return lines.slice(from + 1, end < 0 ? undefined : end);
    };
    const services = new Map<string, string[]>();
    let current: string | undefined;
    for (const line of block('services:')) {
      const m = /^ {2}([a-z0-9_-]+):\s*$/.exec(line);
      if (m) services.set((current = m[1]!), []);
      else if (current) services.get(current)!.push(line);
    }
    assert.deepEqual(
      [...services.keys()],
      ['prometheus', 'grafana', 'tempo', 'otel-collector', 'dcgm-exporter'],
    );
    const declaredVolumes = block('volumes:')
      .map((l) => /^ {2}([a-z0-9_-]+):/.exec(l)?.[1])
      .filter(Boolean);

    let mounts = 0;
    for (const [name, body] of services) {
      assert.ok(
        body.some((l) => /^ {4}image: \S+:\S+/.test(l)),
        `${name}: image with a pinned tag`,
      );
      const profiles = body.find((l) => /^ {4}profiles:/.test(l));
      assert.ok(profiles, `${name}: has profiles`);
      const start = body.findIndex((l) => /^ {4}volumes:\s*$/.test(l));
      if (start < 0) continue;
      for (const line of body.slice(start + 1)) {
        const m = /^ {6}- (\S+)\s*(#.*)?$/.exec(line);
        if (!m) break;
        const [source, target, mode] = m[1]!.replace(/^"|"$/g, '').split(':');
        assert.ok(target?.startsWith('/'), `${name}: ${line.trim()}: absolute container path`);
        if (mode !== undefined) assert.equal(mode, 'ro', `${name}: ${line.trim()}`);
        if (source!.startsWith('./') || source!.startsWith('../')) {
          mounts++;
          assert.ok(
            existsSync(join(DEPLOY, source!)),
            `${name}: mounts ${source}, which is missing`,
          );
        } else {
          assert.ok(
            declaredVolumes.includes(source),
            `${name}: named volume ${source} is declared`,
          );
        }
      }
    }
    assert.ok(mounts >= 4, `${mounts} bind mounts found: the parsing missed some`);

    // What the services read from their mounts lines up with the files.
    assert.match(text, /- \.\/prometheus\.yml:\/etc\/prometheus\/prometheus\.yml:ro/);
    assert.match(text, /--config\.file=\/etc\/prometheus\/prometheus\.yml/);
    const home = /GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH:\s*(\S+)/.exec(text)?.[1];
    assert.equal(home, '/etc/grafana/dashboards/dynamo-nestjs.json');
    assert.ok(existsSync(join(DASHBOARDS, 'dynamo-nestjs.json')));
    assert.match(text, /- \.\/grafana\/dashboards:\/etc\/grafana\/dashboards:ro/);
    const provider = readFileSync(
      join(DEPLOY, 'grafana', 'provisioning', 'dashboards', 'dashboards.yml'),
      'utf8',
    );
    assert.match(provider, /path: \/etc\/grafana\/dashboards\s/);
    const datasource = readFileSync(
      join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
      'utf8',
    );
    assert.match(datasource, /url: http:\/\/prometheus:9090\s/, 'the compose service name');
    assert.match(text, /"9090:9090"/);
    // Exemplars: stored by Prometheus, linked by Grafana to the Tempo service of the same file.
    assert.match(text, /- --enable-feature=exemplar-storage/);
    assert.match(datasource, /url: http:\/\/tempo:3200\s/);
    assert.match(datasource, /datasourceUid: dynamo-tempo\s/);
    assert.match(text, /- \.\/tempo\.yml:\/etc\/tempo\.yml:ro/);
    assert.match(text, /-config\.file=\/etc\/tempo\.yml/);
  });

  it('every dashboard datasource is the provisioned uid', () => {
    const provisioned = readFileSync(
      join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
      'utf8',
    );
    const uids = [...provisioned.matchAll(/^\s*uid:\s*(\S+)\s*$/gm)].map((m) => m[1]);
    // Tempo is there for exemplar links only; every dashboard query reads Prometheus.
    assert.deepEqual(uids, ['dynamo-prometheus', 'dynamo-tempo']);
    const uid = uids[0];
    const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'));
    assert.deepEqual(files.sort(), [
      'dynamo-component.json',
      'dynamo-nestjs.json',
      'gpu-dcgm.json',
    ]);
    for (const file of files) {
      const dash = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as unknown;
      let found = 0;
      const walk = (node: unknown, path: string) => {
        if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}[${i}]`));
        if (node === null || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          if (key === 'datasource' && value !== null) {
            found++;
            assert.equal(
              typeof value,
              'object',
              `${file} ${path}.datasource is ${JSON.stringify(value)}`,
            );
            const ds = value as { type?: string; uid?: string };
            // Grafana's built-in annotation source is the one exception.
            if (ds.uid === '-- Grafana --' || ds.type === 'grafana' || ds.type === 'datasource')
              continue;
            assert.equal(ds.uid, uid, `${file} ${path}.datasource.uid`);
            assert.equal(ds.type, 'prometheus', `${file} ${path}.datasource.type`);
          }
          walk(value, `${path}.${key}`);
        }
      };
      walk(dash, '$');
      assert.ok(found > 0, `${file}: no datasource references found`);
    }
  });
});

describe('deploy/: every dashboard query against a real Prometheus scraping the sample under load', () => {
  let app: SampleProcess | undefined;
  let prom: PrometheusServer | undefined;

  after(async () => {
    await Promise.all([prom?.stop(), app?.stop()]);
  });

  it('dynamo-nestjs.json: data for every query; gpu-dcgm.json: every query parses', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary) return;
    app = await startSample({ platform: 'express', tokenDelayMs: 5 });
    const job = 'dynamo-sample';
    prom = await startPrometheus(
      binary,
      fastScrapeConfig(
        [
          `  - job_name: ${job}`,
          '    metrics_path: /metrics',
          '    static_configs:',
          `      - targets: ["127.0.0.1:${app.systemPort}"]`,
        ].join('\n'),
      ),
    );
    const p = prom;
    const scrapes = async () => (await p.scalar(`count_over_time(up{job="${job}"}[1m])`)) ?? 0;
    // A scrape before the load, so every counter has a sample to rise from.
    await poll(
      () => `the first successful scrape of the sample app\n${p.output()}`,
      async () => (await p.scalar(`up{job="${job}"}`)) === 1,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const before = await scrapes();

    // The sample's own load generator: unary, streams, sample-fail, aborts, invalid.
    const load = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [SAMPLE_LOAD], {
        env: childEnv({
          SAMPLE_URL: `http://127.0.0.1:${app!.appPort}`,
          LOAD_REQUESTS: '150',
          LOAD_CONCURRENCY: '4',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      killOnExit(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
    assert.equal(load.code, 0, load.output);
    assert.match(load.output, /sent 150 requests/);
    t.diagnostic(load.output.trim().replace(/\n\s*/g, '; '));

    // Wait until Prometheus holds the final counts, with at least 4 scrapes since the load began.
    const final = await poll(
      'the load to end in the app',
      async () => {
        const s = await app!.scrape();
        return sumOf(s, 'dynamo_concurrent_requests') === 0 &&
          sumOf(s, 'nv_llm_http_service_inflight_requests') === 0
          ? s
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // load.ts sends one invalid (400, not counted) request in every ten.
    assert.match(load.output, /invalid -> 400: 15/);
    const requests = sumOf(final, 'nv_llm_http_service_requests_total');
    assert.equal(requests, 135, 'frontend requests counted');
    assert.equal(sumOf(final, 'dynamo_requests_total', { endpoint: 'generate' }), 135);
    await poll(
      async () =>
        `4 scrapes with the load in them (scrapes in the last minute: ${await scrapes().catch(() => '?')}, ` +
        `before the load: ${before})`,
      async () =>
        (await scrapes()) >= before + 4 &&
        (await p.scalar('sum(nv_llm_http_service_requests_total)')) === requests,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    t.diagnostic(
      `${requests} frontend requests, ${(await scrapes()) - before} scrapes since the load began`,
    );

    // Prometheus negotiates OpenMetrics with the app: the scrape is healthy and every metric
    // of the text exposition arrived under the same name, and nothing else did.
    await t.test('scrapes are healthy and ingest exactly the exposition names', async () => {
      const targets = (await (await fetch(`${p.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string; lastError: string; labels: object }> };
      };
      assert.equal(targets.data.activeTargets.length, 1);
      const [target] = targets.data.activeTargets;
      assert.equal(target!.health, 'up', target!.lastError);
      assert.equal(target!.lastError, '');
      const res = await fetch(
        `${p.url}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': `{job="${job}"}` })}`,
      );
      const ingested = new Set(((await res.json()) as { data: string[] }).data);
      for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped']) {
        assert.ok(ingested.delete(name), name);
      }
      for (const name of [...ingested]) if (name.startsWith('scrape_')) ingested.delete(name);
      const exposed = new Set(final.samples.map((x) => x.name));
      assert.deepEqual([...ingested].sort(), [...exposed].sort());
    });

    const main = dashboardQueries(DASHBOARDS, { files: ['dynamo-nestjs.json'] });
    assert.ok(main.length >= 30, `${main.length} queries in dynamo-nestjs.json`);
    const empty: string[] = [];
    const legendOf = legends('dynamo-nestjs.json');
    for (const q of main) {
      await t.test(`${q.panel} [${q.refId}]`, async () => {
        const r = await p.query(q.expr);
        assert.equal(r.status, 'success', `${where(q)}\n  ${r.errorType}: ${r.error}`);
        const result = r.data!.result as PromSample[];
        if (!Array.isArray(result) || result.length === 0) {
          empty.push(where(q));
          assert.fail(`no data: ${where(q)}`);
        }
        const values = result.map((x) => x.value[1]);
        if (!values.some((v) => v !== 'NaN')) {
          empty.push(where(q));
          assert.fail(`only NaN (${values.join(', ')}): ${where(q)}`);
        }
        // Every {{label}} of the legend is a label of every series the query returns.
        const legend = legendOf.get(`${q.panelId}/${q.refId}`) ?? '';
        for (const [, label] of legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
          for (const series of result) {
            assert.ok(
              label! in series.metric,
              `legend "${legend}" uses {{${label}}}, missing from ${JSON.stringify(series.metric)}: ${where(q)}`,
            );
          }
        }
      });
    }
    if (empty.length) t.diagnostic(`queries without data:\n${empty.join('\n')}`);

    // The template variables' label_values() find values too.
    const dash = JSON.parse(readFileSync(join(DASHBOARDS, 'dynamo-nestjs.json'), 'utf8')) as {
      templating: { list: Array<{ name: string; definition?: string }> };
    };
    for (const v of dash.templating.list) {
      const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(v.definition ?? '');
      if (!m) continue;
      await t.test(`template variable $${v.name}: ${v.definition}`, async () => {
        const res = await fetch(
          `${p.url}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`,
        );
        const body = (await res.json()) as { status: string; data: string[] };
        assert.equal(body.status, 'success');
        assert.ok(body.data.length > 0, `no values for $${v.name} (${v.definition})`);
      });
    }

    for (const q of dashboardQueries(DASHBOARDS, { files: ['gpu-dcgm.json'] })) {
      await t.test(`gpu-dcgm: ${q.panel} [${q.refId}] parses`, async () => {
        const r = await p.query(q.expr);
        assert.equal(r.status, 'success', `${where(q)}\n  ${r.errorType}: ${r.error}`);
      });
    }
  });
});
