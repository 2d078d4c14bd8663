import { after, before, describe, it, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import {
  DynamoMetricsError,
  DynamoMetricsModule,
  loadServerSecurity,
  loadWebConfig,
  resolvePeer,
} from '../../src/internal';
import { createApp } from '../support/nest-app';
import { CertificateFactory, Issued, requireOpenssl } from '../support/tls';

/**
 * The web config file (exporter-toolkit's format) read strictly: every bad file is a start-up
 * error that names the file and the field; what is accepted is resolved relative to the file.
 */

const HASH = '$2b$04$7XmDIRjx0xCjm6bMm7TGmuHYC/Hbfr7n8lzWOUmMvuPUe5b6NpQA6';

let certs: CertificateFactory | undefined;
let server: Issued;
let other: Issued;

before(() => {
  certs = new CertificateFactory();
});
after(() => certs?.remove());

/** A server certificate and another one's key, made once (false: no openssl here). */
function issue(t: TestContext): boolean {
  if (!requireOpenssl(t)) return false;
  if (!server) {
    const ca = certs!.ca('ca');
    server = certs!.leaf(ca, 'server', 'server');
    other = certs!.leaf(ca, 'other', 'server');
  }
  return true;
}

/** Writes `yaml` as a web config next to the certificates and loads it with its certificates. */
function load(yaml: string): unknown {
  const file = certs!.write('web.yml', yaml);
  return loadServerSecurity(file);
}

function assertRefused(yaml: string, ...fragments: string[]): void {
  assert.throws(
    () => load(yaml),
    (err: unknown) => {
      assert.ok(err instanceof DynamoMetricsError, String(err));
      for (const f of [certs!.path('web.yml'), ...fragments]) {
        assert.ok(err.message.includes(f), `"${f}" in: ${err.message}`);
      }
      return true;
    },
  );
}

describe('web config: what is refused, by file and field', () => {
  it('unreadable, not YAML, not a mapping', () => {
    assert.throws(
      () => loadWebConfig(certs!.path('absent.yml')),
      /absent\.yml cannot be read: ENOENT/,
    );
    assertRefused('tls_server_config: [unclosed', 'is not valid YAML');
    assertRefused('- a\n- b\n', '(top level): must be a mapping');
    assertRefused('a: 1\na: 2\n', 'is not valid YAML', 'unique');
  });

  it('unknown keys, and exporter-toolkit keys this package does not implement', () => {
    assertRefused(
      'tls_config: {}\n',
      'tls_config: unknown key',
      '"tls_server_config", "basic_auth_users"',
    );
    assertRefused(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  certfile: x\n',
      'tls_server_config.certfile: unknown key',
    );
    assertRefused(
      'rate_limit:\n  burst: 1\n',
      'rate_limit: is an exporter-toolkit setting this package does not implement',
    );
    assertRefused(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n',
      'tls_server_config.cipher_suites: is an exporter-toolkit setting',
    );
  });

  it('values: types, choices, missing files, bad hashes', () => {
    const tls = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
    assertRefused(
      'tls_server_config:\n  cert_file: server.crt\n',
      'tls_server_config.key_file: is missing',
    );
    assertRefused(
      'tls_server_config:\n  cert_file: [a]\n  key_file: b\n',
      'tls_server_config.cert_file: must be a string',
    );
    assertRefused(
      `${tls}  client_auth_type: RequireClientCerts\n`,
      'tls_server_config.client_auth_type: "RequireClientCerts" is not valid',
      '"RequireAndVerifyClientCert"',
    );
    assertRefused(
      `${tls}  min_version: TLS14\n`,
      'tls_server_config.min_version: "TLS14" is not valid',
      '"TLS13"',
    );
    assertRefused(
      `${tls}  min_version: TLS13\n  max_version: TLS12\n`,
      'tls_server_config.max_version: TLS12 is older than min_version TLS13',
    );
    assertRefused(
      `${tls}  client_ca_file: ca.crt\n`,
      'tls_server_config.client_ca_file: is set, but client_auth_type is NoClientCert',
    );
    assertRefused(
      `${tls}  client_auth_type: RequireAndVerifyClientCert\n`,
      'tls_server_config.client_ca_file: is missing',
    );
    assertRefused(
      'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n',
      `tls_server_config.cert_file: cannot read ${certs!.path('nope.crt')}`,
    );
    assertRefused(
      'basic_auth_users:\n  prometheus: secret\n',
      'basic_auth_users.prometheus: is not a bcrypt hash',
    );
    assertRefused(
      `basic_auth_users:\n  prometheus: "${HASH.replace('$04$', '$03$')}"\n`,
      'basic_auth_users.prometheus: is not a bcrypt hash',
    );
    assertRefused('basic_auth_users: [prometheus]\n', 'basic_auth_users: must be a mapping');
  });

  it('certificates: not PEM, and a key that does not belong to the certificate', (t) => {
    if (!issue(t)) return;
    certs!.write('garbage.crt', 'not a certificate\n');
    assertRefused(
      'tls_server_config:\n  cert_file: garbage.crt\n  key_file: server.key\n',
      `tls_server_config.cert_file: ${certs!.path('garbage.crt')} does not hold a PEM certificate`,
    );
    assertRefused(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n',
      'tls_server_config.key_file:',
      'does not hold a PEM private key',
    );
    assertRefused(
      `tls_server_config:\n  cert_file: server.crt\n  key_file: ${other.keyFile}\n`,
      `tls_server_config.key_file: the private key in ${other.keyFile} does not belong to the certificate in ${server.certFile}`,
    );
  });

  it('accepted: paths relative to the file, defaults as in exporter-toolkit, an empty file', (t) => {
    if (!issue(t)) return;
    const file = certs!.write(
      'good.yml',
      `# comment\ntls_server_config:\n  cert_file: server.crt\n  key_file: ${server.keyFile}\nbasic_auth_users:\n  prometheus: ${HASH}\n`,
    );
    assert.deepEqual(loadWebConfig(file), {
      file,
      tls: {
        certFile: server.certFile,
        keyFile: server.keyFile,
        clientAuth: 'NoClientCert',
        minVersion: 'TLSv1.2',
      },
      users: new Map([['prometheus', HASH]]),
    });
    assert.deepEqual(loadWebConfig(certs!.write('empty.yml', '')), {
      file: certs!.path('empty.yml'),
    });
  });

  it('a missing optional peer is named with the command that installs it', () => {
    assert.throws(
      () => resolvePeer('no-such-package-for-dynamo', '/etc/web.yml', 'basic_auth_users'),
      new DynamoMetricsError(
        'Web config /etc/web.yml, basic_auth_users: needs the package "no-such-package-for-dynamo", an optional peer dependency of nestjs-dynamo-metrics: npm install no-such-package-for-dynamo',
      ),
    );
  });

  it('through the module: start-up stops before the port opens, naming file and field', async () => {
    const file = certs!.write('bad.yml', 'basic_auth_users:\n  prometheus: plain\n');
    @Module({
      imports: [
        DynamoMetricsModule.forRoot({
          system: { enabled: true, port: 0, host: '127.0.0.1', webConfigFile: file },
        }),
      ],
    })
    class AppModule {}
    const app = await createApp('express', AppModule);
    await assert.rejects(app.init(), (err: unknown) => {
      assert.ok(err instanceof DynamoMetricsError);
      assert.match(
        err.message,
        /^Web config .*bad\.yml, basic_auth_users\.prometheus: is not a bcrypt hash/,
      );
      return true;
    });
    await app.close();
  });
});
