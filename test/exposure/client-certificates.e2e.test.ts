import { after, describe, it, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { startSecuredApp } from '../support/secured-app';
import {
  CertificateFactory,
  fingerprintOf,
  https,
  Pki,
  requireOpenssl,
  servedFingerprint,
} from '../support/tls';

/**
 * The web config's `client_auth_type`, each of exporter-toolkit's five values, against a client
 * with no certificate, one issued by the configured client CA, and one from another CA; and
 * `min_version`. A refused client gets no HTTP answer at all (the TLS handshake fails).
 */

const certs = new CertificateFactory();
after(() => certs.remove());

function setUp(t: TestContext): Pki | undefined {
  return requireOpenssl(t) ? certs.pki() : undefined;
}

type Client = 'none' | 'right' | 'wrong';
const ANSWERED = 'answered';
const REFUSED = 'refused';

const MODES: Array<[mode: string, expected: Record<Client, string>]> = [
  ['NoClientCert', { none: ANSWERED, right: ANSWERED, wrong: ANSWERED }],
  ['RequestClientCert', { none: ANSWERED, right: ANSWERED, wrong: ANSWERED }],
  ['RequireAnyClientCert', { none: REFUSED, right: ANSWERED, wrong: ANSWERED }],
  ['VerifyClientCertIfGiven', { none: ANSWERED, right: ANSWERED, wrong: REFUSED }],
  ['RequireAndVerifyClientCert', { none: REFUSED, right: ANSWERED, wrong: REFUSED }],
];

describe('client certificates (tls_server_config.client_auth_type)', () => {
  for (const [mode, expected] of MODES) {
    it(`${mode}: no certificate ${expected.none}, the CA's ${expected.right}, another CA's ${expected.wrong}`, async (t) => {
      const p = setUp(t);
      if (!p) return;
      const ca = mode === 'NoClientCert' ? '' : '  client_ca_file: client-ca.crt\n';
      const file = certs.write(
        `${mode}.yml`,
        'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' +
          `  client_auth_type: ${mode}\n${ca}`,
      );
      const secured = await startSecuredApp({ webConfigFile: file });
      try {
        for (const client of ['none', 'right', 'wrong'] as const) {
          const cert = client === 'none' ? {} : { client: client === 'right' ? p.right : p.wrong };
          // /health too: the handshake decides before any path does.
          for (const path of ['/metrics', '/health']) {
            const res = await https(secured.port, path, { ca: p.ca.cert, ...cert });
            const outcome =
              res instanceof Error ? REFUSED : res.status === 200 ? ANSWERED : `${res.status}`;
            assert.equal(outcome, expected[client], `${client} certificate on ${path}`);
          }
        }
      } finally {
        await secured.close();
      }
    });
  }
});

describe('TLS versions (tls_server_config.min_version)', () => {
  it('min_version TLS13 refuses a TLS 1.2 client; the default (TLS12) takes it', async (t) => {
    const p = setUp(t);
    if (!p) return;
    const tls = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
    certs.leaf(p.ca, 'strict', 'server');
    const strict = await startSecuredApp({
      webConfigFile: certs.write(
        'tls13.yml',
        'tls_server_config:\n  cert_file: strict.crt\n  key_file: strict.key\n  min_version: TLS13\n',
      ),
    });
    const usual = await startSecuredApp({ webConfigFile: certs.write('tls12.yml', tls) });
    try {
      const old = { ca: p.ca.cert, maxVersion: 'TLSv1.2' } as const;
      const refused = await https(strict.port, '/health', old);
      assert.ok(refused instanceof Error);
      assert.match(refused.message, /protocol version|alert/i);
      const answered = await https(usual.port, '/health', old);
      assert.ok(!(answered instanceof Error) && answered.status === 200);
      const modern = await https(strict.port, '/health', { ca: p.ca.cert });
      assert.ok(!(modern instanceof Error) && modern.status === 200);
      // Certificates re-read on rotation keep the versions.
      const next = certs.leaf(p.ca, 'strict-next', 'server');
      renameSync(next.keyFile, certs.path('strict.key'));
      renameSync(next.certFile, certs.path('strict.crt'));
      assert.equal(await servedFingerprint(strict.port, p.ca.cert), fingerprintOf(next));
      assert.ok((await https(strict.port, '/health', old)) instanceof Error);
    } finally {
      await strict.close();
      await usual.close();
    }
  });
});
