import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Server, ServerOptions } from 'node:https';
import { createSecureContext, SecureContextOptions, TLSSocket } from 'node:tls';
import { DynamoMetricsError } from '../../core';
import { CONFIG_MESSAGES } from '../../config/config.messages';
import type { TlsSettings } from './web-config';

interface Credentials {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

export interface CredentialEvents {
  reloaded(files: string): void;
  reloadFailed(reason: string): void;
}

/**
 * The system server's certificate, key and client CA from the web config's files. Read and
 * checked at start-up (a key that does not match its certificate stops start-up); afterwards
 * re-read when a file changes (cert-manager rotates them in place), checked the same way, and
 * used from the next connection on. Files that cannot be used yet (mid-rotation, a key that
 * does not match) leave the previous credentials in use.
 */
export class TlsCredentials {
  private current: Credentials;
  /** The files' identity when `current` was read, and when a re-read last failed. */
  private stamp: string;
  private failedStamp?: string;

  constructor(
    private readonly file: string,
    private readonly settings: TlsSettings,
  ) {
    this.stamp = this.stampNow();
    this.current = this.read();
  }

  /** Options for https.createServer: the credentials, the client certificate policy, versions. */
  serverOptions(): ServerOptions {
    const { clientAuth } = this.settings;
    return {
      ...this.contextOptions(),
      requestCert: clientAuth !== 'NoClientCert',
      // The modes Node has no handshake setting for are checked in `attach`.
      rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
    };
  }

  /** Re-reads changed files as each connection arrives; enforces the client certificate policy. */
  attach(server: Server, events: CredentialEvents): void {
    // Before the TLS listener Node added itself, so this very connection gets what was re-read.
    server.prependListener('connection', () => this.refresh(server, events));
    const { clientAuth } = this.settings;
    if (clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'VerifyClientCertIfGiven') return;
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
      const refused = clientAuth === 'RequireAnyClientCert' ? !given : given && !socket.authorized;
      if (refused) socket.destroy();
    });
  }

  private refresh(server: Server, events: CredentialEvents): void {
    const stamp = this.stampNow();
    if (stamp === this.stamp || stamp === this.failedStamp) return;
    try {
      this.current = this.read();
    } catch (err) {
      this.failedStamp = stamp;
      events.reloadFailed((err as Error).message);
      return;
    }
    this.stamp = stamp;
    this.failedStamp = undefined;
    server.setSecureContext(this.contextOptions());
    events.reloaded(this.paths().join(', '));
  }

  /** What a secure context is made of: the credentials and the TLS versions. */
  private contextOptions(): SecureContextOptions {
    const { minVersion, maxVersion } = this.settings;
    return { ...this.current, minVersion, ...(maxVersion === undefined ? {} : { maxVersion }) };
  }

  private paths(): string[] {
    const { certFile, keyFile, clientCaFile } = this.settings;
    return clientCaFile === undefined ? [certFile, keyFile] : [certFile, keyFile, clientCaFile];
  }

  /** What identifies the files' contents without reading them (a few µs per connection). */
  private stampNow(): string {
    return this.paths()
      .map((path) => {
        try {
          const s = statSync(path);
          return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
        } catch (err) {
          return (err as NodeJS.ErrnoException).code ?? 'unreadable';
        }
      })
      .join('|');
  }

  private read(): Credentials {
    const { certFile, keyFile, clientCaFile } = this.settings;
    const cert = this.readFile('tls_server_config.cert_file', certFile);
    const key = this.readFile('tls_server_config.key_file', keyFile);
    const leaf = this.parse(
      'cert_file',
      certFile,
      'a PEM certificate',
      () => new X509Certificate(cert),
    );
    const privateKey = this.parse('key_file', keyFile, 'a PEM private key', () =>
      createPrivateKey(key),
    );
    if (!leaf.checkPrivateKey(privateKey)) {
      throw new DynamoMetricsError(
        CONFIG_MESSAGES.webConfigKeyMismatch(this.file, keyFile, certFile),
      );
    }
    const credentials: Credentials = { cert, key };
    if (clientCaFile !== undefined) {
      credentials.ca = this.readFile('tls_server_config.client_ca_file', clientCaFile);
      this.parse(
        'client_ca_file',
        clientCaFile,
        'a PEM certificate',
        () => new X509Certificate(credentials.ca!),
      );
    }
    // Whatever OpenSSL itself refuses (a key too weak for its security level, ...).
    this.parse('cert_file', certFile, 'a certificate this TLS library accepts', () =>
      createSecureContext({ ...credentials, minVersion: this.settings.minVersion }),
    );
    return credentials;
  }

  private readFile(field: string, path: string): Buffer {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new DynamoMetricsError(
        CONFIG_MESSAGES.webConfigFileUnreadable(this.file, field, path, (err as Error).message),
      );
    }
  }

  private parse<T>(key: string, path: string, expected: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      throw new DynamoMetricsError(
        CONFIG_MESSAGES.webConfigBadPem(
          this.file,
          `tls_server_config.${key}`,
          path,
          expected,
          (err as Error).message,
        ),
      );
    }
  }
}
