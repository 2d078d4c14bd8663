import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { DynamoMetricsError } from '../../core';
import { CONFIG_MESSAGES } from '../../config/config.messages';

/**
 * The exporter-toolkit web config file (the format of Prometheus' own `--web.config.file`), the
 * part this package implements: `tls_server_config` with certificate files, client certificate
 * policy and TLS versions, and `basic_auth_users` with bcrypt hashes. Read strictly, as
 * exporter-toolkit does: an unknown key, a wrong type or a bad value stops start-up with the
 * file and the field named. Relative paths are relative to the file.
 */

/** exporter-toolkit's `client_auth_type` values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** exporter-toolkit's TLS version names, and Node's. */
const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  clientAuth: ClientAuthType;
  /** Default TLS 1.2, as in exporter-toolkit. */
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
}

export interface WebConfig {
  file: string;
  tls?: TlsSettings;
  /** User name to bcrypt hash. */
  users?: ReadonlyMap<string, string>;
}

const TOP_KEYS = ['tls_server_config', 'basic_auth_users'];
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'min_version',
  'max_version',
];
/** exporter-toolkit settings left out here: refused by name, never silently ignored. */
const NOT_IMPLEMENTED = new Set([
  'http_server_config',
  'rate_limit',
  'tls_server_config.cert',
  'tls_server_config.key',
  'tls_server_config.client_ca',
  'tls_server_config.cipher_suites',
  'tls_server_config.curve_preferences',
  'tls_server_config.prefer_server_cipher_suites',
  'tls_server_config.client_allowed_sans',
]);

/** `$2$`, `$2a$`, `$2b$` or `$2y$`, a cost of two digits, 22 characters of salt, 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** Where an optional peer dependency is installed, or a start-up error saying how to add it. */
export function resolvePeer(name: string, file: string, field: string): string {
  try {
    return require.resolve(name);
  } catch {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigPeerMissing(file, field, name));
  }
}

/** Reads and checks a web config file (its certificates are read by TlsCredentials). */
export function loadWebConfig(fileName: string): WebConfig {
  const file = resolve(fileName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigUnreadable(file, reason(err)));
  }
  const yaml = require(resolvePeer('yaml', file, '(top level)')) as {
    parse(text: string): unknown;
  };
  let doc: unknown;
  try {
    doc = yaml.parse(text);
  } catch (err) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigBadYaml(file, reason(err)));
  }
  // An empty file configures nothing, as in exporter-toolkit.
  const top = mapping(file, '(top level)', doc ?? {}, TOP_KEYS, '');
  const config: WebConfig = { file };
  if (top.tls_server_config !== undefined && top.tls_server_config !== null) {
    config.tls = tlsSettings(file, top.tls_server_config);
  }
  if (top.basic_auth_users !== undefined && top.basic_auth_users !== null) {
    config.users = users(file, top.basic_auth_users);
  }
  return config;
}

function tlsSettings(file: string, value: unknown): TlsSettings {
  const tls = mapping(file, 'tls_server_config', value, TLS_KEYS, 'tls_server_config.');
  const text = (key: string): string | undefined => {
    const v = tls[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      throw new DynamoMetricsError(
        CONFIG_MESSAGES.webConfigNotString(file, `tls_server_config.${key}`, v),
      );
    }
    return v;
  };
  const path = (key: string) => {
    const v = text(key);
    return v === undefined ? undefined : resolve(dirname(file), v);
  };
  const required = (key: string) => {
    const v = path(key);
    if (v !== undefined) return v;
    throw new DynamoMetricsError(
      CONFIG_MESSAGES.webConfigMissing(
        file,
        `tls_server_config.${key}`,
        'TLS needs both cert_file and key_file',
      ),
    );
  };
  const choice = <T extends string>(key: string, accepted: readonly T[]): T | undefined => {
    const v = text(key);
    if (v === undefined || (accepted as readonly string[]).includes(v)) return v as T | undefined;
    throw new DynamoMetricsError(
      CONFIG_MESSAGES.webConfigBadChoice(file, `tls_server_config.${key}`, v, accepted),
    );
  };
  const versions = Object.keys(TLS_VERSIONS);
  const min = choice('min_version', versions) ?? 'TLS12';
  const max = choice('max_version', versions);
  if (max !== undefined && max < min) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigVersionsOutOfOrder(file, min, max));
  }
  const clientAuth = choice('client_auth_type', CLIENT_AUTH_TYPES) ?? 'NoClientCert';
  const clientCaFile = path('client_ca_file');
  if (clientCaFile !== undefined && clientAuth === 'NoClientCert') {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigCaWithoutClientAuth(file));
  }
  // Go would verify against the system's roots; a client certificate from any public CA is
  // not what an operator means, so the CA must be given.
  if (clientCaFile === undefined && clientAuth.includes('Verify')) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigVerifyNeedsCa(file, clientAuth));
  }
  return {
    certFile: required('cert_file'),
    keyFile: required('key_file'),
    ...(clientCaFile === undefined ? {} : { clientCaFile }),
    clientAuth,
    minVersion: TLS_VERSIONS[min]!,
    ...(max === undefined ? {} : { maxVersion: TLS_VERSIONS[max]! }),
  };
}

function users(file: string, value: unknown): Map<string, string> {
  const entries = mapping(file, 'basic_auth_users', value, undefined, 'basic_auth_users.');
  const found = new Map<string, string>();
  for (const [user, hash] of Object.entries(entries)) {
    const cost = typeof hash === 'string' ? BCRYPT_HASH.exec(hash)?.[1] : undefined;
    if (cost === undefined || Number(cost) < 4 || Number(cost) > 31) {
      throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigBadHash(file, user));
    }
    found.set(user, hash as string);
  }
  return found;
}

/** A YAML mapping whose keys are all among `keys` (any key when undefined). */
function mapping(
  file: string,
  field: string,
  value: unknown,
  keys: readonly string[] | undefined,
  prefix: string,
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.webConfigNotMapping(file, field));
  }
  for (const key of Object.keys(value)) {
    if (keys === undefined || keys.includes(key)) continue;
    const qualified = `${prefix}${key}`;
    throw new DynamoMetricsError(
      NOT_IMPLEMENTED.has(qualified)
        ? CONFIG_MESSAGES.webConfigNotImplemented(file, qualified)
        : CONFIG_MESSAGES.webConfigUnknownKey(file, qualified, keys),
    );
  }
  return value as Record<string, unknown>;
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));
