import { after, before, describe, it, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { SystemServer } from '../../src';
import { HttpResult, http } from '../support/http-client';
import { SecuredApp, startSecuredApp } from '../support/secured-app';
import {
  bcryptHash,
  CertificateFactory,
  fingerprintOf,
  https,
  Issued,
  Pki,
  requireBcrypt,
  requireOpenssl,
  servedFingerprint,
  toolsAvailable,
} from '../support/tls';

/**
 * The system server behind a web config with TLS and basic auth: what is protected and what
 * stays open, the answers to missing and wrong credentials, plain HTTP on the TLS port, and
 * certificates replaced on disk while the server runs.
 */

const certs = new CertificateFactory();
after(() => certs.remove());

let pki: Pki | undefined;

/** A CA and a server certificate at the web config's relative paths (false: tools missing). */
function setUp(t?: TestContext): boolean {
  if (t && (!requireOpenssl(t) || !requireBcrypt(t))) return false;
  pki = certs.pki();
  return true;
}

function webConfig(extra = ''): string {
  return certs.write(
    'web-config.yml',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' +
      `basic_auth_users:\n  prometheus: ${bcryptHash('s3cret', 10)}\n${extra}`,
  );
}

const ok = (r: HttpResult | Error): HttpResult => {
  assert.ok(!(r instanceof Error), `a response, not ${String(r)}`);
  return r;
};

function assertChallenged(r: HttpResult | Error, head = false): void {
  const res = ok(r);
  assert.equal(res.status, 401);
  assert.equal(res.headers['www-authenticate'], 'Basic');
  assert.equal(res.text, head ? '' : 'Unauthorized\n');
}

describe('system server with TLS and basic auth', () => {
  let secured: SecuredApp | undefined;
  before(async () => {
    if (!toolsAvailable() || !setUp()) return;
    secured = await startSecuredApp({ webConfigFile: webConfig(), statusPage: true });
  });
  after(() => secured?.close());

  const get = (path: string, auth?: string, method = 'GET') =>
    https(secured!.port, path, { ca: pki!.ca.cert, ...(auth ? { auth } : {}), method });

  it('/metrics and the status page need the password; 401 with a Basic challenge without', async (t) => {
    if (!setUp(t)) return;
    const metrics = ok(await get('/metrics', 'prometheus:s3cret'));
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^dynamo_system_uptime_seconds\{namespace="dynamo"\} /m);
    assert.equal(ok(await get('/', 'prometheus:s3cret')).status, 200);
    for (const path of ['/metrics', '/', '/status', '/status/assets/status-page.mjs']) {
      assertChallenged(await get(path));
      assertChallenged(await get(path, 'prometheus:wrong'));
      assertChallenged(await get(path, 'nobody:s3cret'));
    }
    assertChallenged(await get('/metrics', undefined, 'HEAD'), true);
    assert.equal(ok(await get('/metrics', 'prometheus:s3cret', 'HEAD')).status, 200);
    assert.match(secured!.app.get(SystemServer).url!, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/health and /live stay open for probes; unknown paths are 404 either way', async (t) => {
    if (!setUp(t)) return;
    assert.equal(ok(await get('/health')).status, 200);
    assert.deepEqual(JSON.parse(ok(await get('/live')).text), { status: 'live' });
    assert.equal(ok(await get('/nowhere')).status, 404);
  });

  it('plain HTTP on the TLS port gets no HTTP answer at all', async (t) => {
    if (!setUp(t)) return;
    const plain = await http(secured!.port, 'GET', '/metrics').catch((err: Error) => err);
    assert.ok(plain instanceof Error, `refused, not ${JSON.stringify(plain)}`);
  });

  it('a client that does not trust the CA gets nothing', async (t) => {
    if (!setUp(t)) return;
    const other = certs.ca('stranger');
    const r = await https(secured!.port, '/health', { ca: other.cert });
    assert.ok(r instanceof Error);
    assert.match(r.message, /self-signed|unable to verify|unable to get/i);
  });
});

describe('system server: basic auth on the probes too (system.protectProbes)', () => {
  it('/health and /live answer 401 without the password, 200 with it', async (t) => {
    if (!setUp(t)) return;
    const secured = await startSecuredApp({ webConfigFile: webConfig(), protectProbes: true });
    try {
      for (const path of ['/health', '/live']) {
        assertChallenged(await https(secured.port, path, { ca: pki!.ca.cert }));
        const res = ok(
          await https(secured.port, path, { ca: pki!.ca.cert, auth: 'prometheus:s3cret' }),
        );
        assert.equal(res.status, 200);
      }
    } finally {
      await secured.close();
    }
  });
});

describe('system server: certificates replaced on disk', () => {
  it('are served from the next connection on; a key that does not match yet keeps the old pair', async (t) => {
    if (!setUp(t)) return;
    // Files of their own, so the other tests keep theirs.
    const first = certs.leaf(pki!.ca, 'rotating', 'server');
    const file = certs.write(
      'rotating.yml',
      'tls_server_config:\n  cert_file: rotating.crt\n  key_file: rotating.key\n',
    );
    const secured = await startSecuredApp({ webConfigFile: file });
    try {
      const { port } = secured;
      assert.equal(await servedFingerprint(port, pki!.ca.cert), fingerprintOf(first));

      // Mid-rotation: the new certificate is there, its key not yet.
      const next = certs.leaf(pki!.ca, 'next', 'server');
      renameSync(next.certFile, first.certFile);
      assert.equal(await servedFingerprint(port, pki!.ca.cert), fingerprintOf(first));
      assert.ok(
        secured.logger.lines.some(
          (l) => l.level === 'warn' && l.message.includes('connections keep the previous ones'),
        ),
      );
      renameSync(next.keyFile, first.keyFile);
      assert.equal(await servedFingerprint(port, pki!.ca.cert), fingerprintOf(next));
      assert.ok(
        secured.logger.lines.some(
          (l) => l.level === 'log' && l.message.includes('certificates re-read'),
        ),
      );
      // And requests work over it.
      const health = ok(await https(port, '/health', { ca: pki!.ca.cert }));
      assert.equal(health.status, 200);
    } finally {
      await secured.close();
    }
  });

  it('a replaced client CA is used for the next connection', async (t) => {
    if (!setUp(t)) return;
    const oldCa = certs.ca('rotating-ca');
    const newCa = certs.ca('rotating-ca-next');
    const oldClient = certs.leaf(oldCa, 'old-client', 'client');
    const newClient = certs.leaf(newCa, 'new-client', 'client');
    const file = certs.write(
      'mtls-rotating.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' +
        '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: rotating-ca.crt\n',
    );
    const secured = await startSecuredApp({ webConfigFile: file });
    try {
      const get = (client: Issued) => https(secured.port, '/health', { ca: pki!.ca.cert, client });
      assert.equal(ok(await get(oldClient)).status, 200);
      assert.ok((await get(newClient)) instanceof Error);
      renameSync(newCa.certFile, oldCa.certFile);
      assert.equal(ok(await get(newClient)).status, 200);
      assert.ok((await get(oldClient)) instanceof Error);
    } finally {
      await secured.close();
    }
  });
});
