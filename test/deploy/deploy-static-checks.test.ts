import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY, DASHBOARDS, promtool } from './dashboard-support';

/**
 * deploy/: the Prometheus configs pass `promtool check config`, the compose file is well formed
 * and mounts files that exist, every dashboard uses the provisioned datasource.
 */

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
    // Not vacuous: the file has targets (an empty list would pass every check above).
    assert.ok(targets(local).length > 0, 'no targets found in prometheus.local.yml');
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
