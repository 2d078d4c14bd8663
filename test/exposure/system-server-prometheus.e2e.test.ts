import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { DynamoMetricsError, loadWebConfig } from '../../src/internal';
import { requireBinary } from '../support/binaries';
import { withEnv } from '../support/env';
import { poll } from '../support/poll';
import { PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { SecuredApp, startSecuredApp } from '../support/secured-app';
import { bcryptHash, CertificateFactory, requireBcrypt, requireOpenssl } from '../support/tls';

/**
 * A real Prometheus scrapes the system server with the jobs of deploy/prometheus.secure.yml
 * (paths and targets replaced): over HTTPS with basic auth against a server configured from
 * deploy/web-config.example.yml through DYN_SYSTEM_WEB_CONFIG_FILE, and over mTLS. Jobs with a
 * wrong password, no password, no client certificate and plain HTTP must see the target down.
 */

// Compiled to dist/test/exposure: the repository is three levels up.
const DEPLOY = resolve(__dirname, '../../../deploy');
const certs = new CertificateFactory();
after(() => certs.remove());

type Job = Record<string, unknown> & { job_name: string };

/** The example web config with this test's certificate files and a real hash. */
function exampleWebConfig(password: string): string {
  const config = parse(readFileSync(join(DEPLOY, 'web-config.example.yml'), 'utf8')) as {
    tls_server_config: Record<string, string>;
    basic_auth_users: Record<string, string>;
  };
  config.tls_server_config.cert_file = 'server.crt';
  config.tls_server_config.key_file = 'server.key';
  config.basic_auth_users.prometheus = bcryptHash(password, 10);
  return certs.write('web-config.yml', stringify(config));
}

/** deploy/prometheus.secure.yml's jobs aimed at this test's servers, and the refused variants. */
function scrapeJobs(basicPort: number, mtlsPort: number): Job[] {
  const [basic, mtls] = (
    parse(readFileSync(join(DEPLOY, 'prometheus.secure.yml'), 'utf8')) as {
      scrape_configs: Job[];
    }
  ).scrape_configs as [Job, Job];
  const files = (tls: Record<string, string>) => {
    for (const [key, file] of Object.entries(tls)) tls[key] = certs.path(file.split('/').pop()!);
  };
  files(basic.tls_config as Record<string, string>);
  files(mtls.tls_config as Record<string, string>);
  certs.write('password', 's3cret');
  certs.write('wrong-password', 'not-it');
  (basic.basic_auth as Record<string, string>).password_file = certs.path('password');
  basic.static_configs = [{ targets: [`127.0.0.1:${basicPort}`] }];
  mtls.static_configs = [{ targets: [`127.0.0.1:${mtlsPort}`] }];
  const variant = (job: Job, name: string, change: (j: Job) => void): Job => {
    const copy = structuredClone(job);
    copy.job_name = name;
    change(copy);
    return copy;
  };
  return [
    basic,
    mtls,
    variant(basic, 'wrong-password', (j) => {
      (j.basic_auth as Record<string, string>).password_file = certs.path('wrong-password');
    }),
    variant(basic, 'no-password', (j) => delete j.basic_auth),
    variant(basic, 'plain-http', (j) => {
      j.scheme = 'http';
      delete j.tls_config;
    }),
    variant(mtls, 'no-client-certificate', (j) => {
      j.tls_config = { ca_file: certs.path('ca.crt') };
    }),
  ];
}

describe('a real Prometheus scrapes the secured system server', () => {
  let prom: PrometheusServer | undefined;
  const apps: SecuredApp[] = [];
  after(async () => {
    await prom?.stop();
    for (const app of apps) await app.close();
  });

  it('HTTPS + basic auth and mTLS are up; wrong or no credentials, plain HTTP are down', async (t) => {
    const prometheus = requireBinary(t, 'prometheus');
    if (!prometheus || !requireOpenssl(t) || !requireBcrypt(t)) return;
    const ca = certs.ca('ca');
    certs.leaf(ca, 'server', 'server');
    const clientCa = certs.ca('client-ca');
    certs.leaf(clientCa, 'prometheus', 'client');
    const webConfig = exampleWebConfig('s3cret');
    const basic = await withEnv({ DYN_SYSTEM_WEB_CONFIG_FILE: webConfig }, () =>
      startSecuredApp({}),
    );
    apps.push(basic);
    const mtlsConfig = certs.write(
      'mtls.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' +
        '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: client-ca.crt\n',
    );
    const mtls = await startSecuredApp({ webConfigFile: mtlsConfig });
    apps.push(mtls);

    const jobs = scrapeJobs(basic.port, mtls.port);
    prom = await startPrometheus(
      prometheus,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        scrape_configs: jobs,
      }),
    );
    const up = await poll(
      () => `every job scraped; Prometheus said:\n${prom!.output()}`,
      async () => {
        const samples = await prom!.vector('up');
        return samples.length === jobs.length ? samples : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const byJob = Object.fromEntries(up.map((s) => [s.metric.job, s.value[1]]));
    assert.deepEqual(byJob, {
      'dynamo-system': '1',
      'dynamo-system-mtls': '1',
      'wrong-password': '0',
      'no-password': '0',
      'plain-http': '0',
      'no-client-certificate': '0',
    });
    // What was scraped (gzip-encoded: Prometheus asks for it) reached the TSDB.
    for (const job of ['dynamo-system', 'dynamo-system-mtls']) {
      const uptime = await prom.scalar(`dynamo_system_uptime_seconds{job="${job}"}`);
      assert.ok(uptime !== undefined && uptime > 0, `${job}: uptime ${uptime}`);
    }
  });
});

describe('deploy/web-config.example.yml', () => {
  it('is refused as shipped (its hash is a placeholder), accepted once a hash is put in', (t) => {
    if (!requireBcrypt(t)) return;
    const example = join(DEPLOY, 'web-config.example.yml');
    assert.throws(
      () => loadWebConfig(example),
      new DynamoMetricsError(
        `Web config ${example}, basic_auth_users.prometheus: ${
          'is not a bcrypt hash (such as "$2y$10$..." from htpasswd -nBC 10 "" or ' +
          `python3 -c 'import bcrypt; print(bcrypt.hashpw(b"secret", bcrypt.gensalt()).decode())').`
        }`,
      ),
    );
    const config = loadWebConfig(exampleWebConfig('s3cret'));
    assert.deepEqual(config.tls, {
      certFile: certs.path('server.crt'),
      keyFile: certs.path('server.key'),
      clientAuth: 'NoClientCert',
      minVersion: 'TLSv1.2',
    });
    assert.deepEqual([...config.users!.keys()], ['prometheus']);
  });
});
