import { BasicAuth } from './basic-auth';
import { TlsCredentials } from './tls-credentials';
import { loadWebConfig, resolvePeer } from './web-config';

/** What a web config asks of the system server: TLS, basic auth, both or neither. */
export interface ServerSecurity {
  /** The web config file, absolute. */
  file: string;
  tls?: TlsCredentials;
  auth?: BasicAuth;
}

/** Reads the web config and its certificates; any problem is a start-up error naming the field. */
export function loadServerSecurity(fileName: string): ServerSecurity {
  const config = loadWebConfig(fileName);
  const security: ServerSecurity = { file: config.file };
  if (config.tls) security.tls = new TlsCredentials(config.file, config.tls);
  if (config.users?.size) {
    const bcryptjs = resolvePeer('bcryptjs', config.file, 'basic_auth_users');
    security.auth = new BasicAuth(config.users, bcryptjs);
  }
  return security;
}
