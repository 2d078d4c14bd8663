import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TestContext } from 'node:test';
import type { HttpResult } from './http-client';

/**
 * Certificates made by the real `openssl` for each test (a CA, server certificates with the IP
 * SAN 127.0.0.1, client certificates), bcrypt hashes made by Debian's python3-bcrypt, and an
 * HTTPS client. Missing tools skip the test with a message, or fail it under CI=true.
 */

function missing(t: TestContext, what: string, pkg: string): undefined {
  const message = `${what} is not available (Debian: apt-get install -y ${pkg}); .ci/run installs it`;
  if (process.env.CI === 'true') throw new Error(`${message}. CI=true, so this is a failure.`);
  t.skip(message);
  return undefined;
}

/** Whether openssl and python3-bcrypt are both here (for hooks, which cannot skip). */
export const toolsAvailable = (): boolean =>
  spawnSync('openssl', ['version']).status === 0 &&
  spawnSync('/usr/bin/python3', ['-c', 'import bcrypt']).status === 0;

/** Whether openssl runs here; when not, the test is skipped (failed under CI=true). */
export function requireOpenssl(t: TestContext): boolean {
  const found = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return found.status === 0 || (missing(t, 'openssl', 'openssl') ?? false);
}

/** Whether python3-bcrypt is here; when not, the test is skipped (failed under CI=true). */
export function requireBcrypt(t: TestContext): boolean {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import bcrypt'], { encoding: 'utf8' });
  return probe.status === 0 || (missing(t, 'python3-bcrypt', 'python3-bcrypt') ?? false);
}

const BCRYPT_SCRIPT =
  'import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(rounds=int(sys.argv[2]))).decode())';

/** A bcrypt hash of `password` made by python3-bcrypt (`$2b$`), independent of bcryptjs. */
export function bcryptHash(password: string, cost = 4): string {
  const run = spawnSync('/usr/bin/python3', ['-c', BCRYPT_SCRIPT, password, String(cost)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`python3 bcrypt: ${run.stderr}`);
  return run.stdout.trim();
}

export interface Issued {
  cert: string;
  key: string;
  /** Absolute paths of the PEM files. */
  certFile: string;
  keyFile: string;
}

/** The usual set: a CA and its server certificate, a client CA's client and another CA's. */
export interface Pki {
  ca: Issued;
  server: Issued;
  /** Issued by `client-ca` (a web config's client_ca_file: client-ca.crt). */
  right: Issued;
  /** Issued by a CA nobody configures. */
  wrong: Issued;
}

export class CertificateFactory {
  readonly dir = mkdtempSync(join(tmpdir(), 'dynamo-tls-'));
  private serial = 1;
  private made?: Pki;

  /** The usual set, made on first use (ca.crt, server.crt/key, client-ca.crt, ... in `dir`). */
  pki(): Pki {
    if (!this.made) {
      const ca = this.ca('ca');
      this.made = {
        ca,
        server: this.leaf(ca, 'server', 'server'),
        right: this.leaf(this.ca('client-ca'), 'scraper', 'client'),
        wrong: this.leaf(this.ca('stranger-ca'), 'stranger', 'client'),
      };
    }
    return this.made;
  }

  /** A self-signed CA named `name`. */
  ca(name: string): Issued {
    const [keyFile, certFile] = [this.path(`${name}.key`), this.path(`${name}.crt`)];
    this.openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]); // prettier-ignore
    return this.issued(certFile, keyFile);
  }

  /** A certificate signed by `ca` for a server at 127.0.0.1, or for a client. */
  leaf(ca: Issued, name: string, use: 'server' | 'client'): Issued {
    const [keyFile, certFile, csr, ext] = ['key', 'crt', 'csr', 'ext'].map((e) =>
      this.path(`${name}.${e}`),
    ) as [string, string, string, string];
    const san = use === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : '';
    writeFileSync(ext, `${san}extendedKeyUsage=${use}Auth\n`);
    this.openssl([
      'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`,
    ]); // prettier-ignore
    this.openssl([
      'x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile,
      '-set_serial', String(this.serial++), '-days', '2', '-extfile', ext, '-out', certFile,
    ]); // prettier-ignore
    return this.issued(certFile, keyFile);
  }

  /** Writes `name` in the dir; returns its path. */
  write(name: string, content: string): string {
    writeFileSync(this.path(name), content);
    return this.path(name);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private issued(certFile: string, keyFile: string): Issued {
    return {
      cert: readFileSync(certFile, 'utf8'),
      key: readFileSync(keyFile, 'utf8'),
      certFile,
      keyFile,
    };
  }

  private openssl(args: string[]): void {
    const run = spawnSync('openssl', args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.stderr}`);
  }
}

export interface HttpsOptions {
  /** The CA the client trusts. */
  ca: string;
  /** A client certificate to present. */
  client?: Issued;
  /** `user:password` for basic auth. */
  auth?: string;
  headers?: Record<string, string>;
  method?: string;
  /** The newest TLS version the client offers. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** One HTTPS request to 127.0.0.1 on a fresh connection; an Error when the connection fails. */
export function https(
  port: number,
  path: string,
  options: HttpsOptions,
): Promise<HttpResult | Error> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        ca: options.ca,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        headers: {
          ...(options.auth
            ? { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', resolve);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            received: body.length,
            text,
            complete: true,
          });
        });
      },
    );
    req.on('error', resolve);
    req.end();
  });
}

/** The SHA-256 fingerprint of the certificate a TLS server at 127.0.0.1:port presents. */
export function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** The fingerprint of a PEM certificate, as servedFingerprint gives it. */
export const fingerprintOf = (issued: Issued): string =>
  new X509Certificate(issued.cert).fingerprint256;
