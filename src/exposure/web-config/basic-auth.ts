import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Checks a request may wait for at most; past them the answer is 429 rather than a queue. */
const MAX_PENDING_CHECKS = 32;

export type AuthVerdict = 'ok' | 'denied' | 'busy';

/**
 * Basic auth with the web config's bcrypt hashes, as exporter-toolkit does it: bcrypt runs one
 * check at a time (here in a worker thread, off the main thread), an unknown user is checked
 * against a real hash so that timing does not tell which users exist, and a successful check
 * is remembered so that a scrape every 15 s does not pay for bcrypt each time. What is
 * remembered is a keyed digest of the password per user (never the password), compared in
 * constant time; at most one per configured user, so no request can grow or evict it.
 */
export class BasicAuth {
  private readonly digestKey = randomBytes(32);
  private readonly passed = new Map<string, Buffer>();
  /** Stands in for an unknown user's hash: the same cost as a real one. */
  private readonly standIn: string;
  private worker?: Worker;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  private nextId = 0;

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly bcryptjsPath: string,
  ) {
    this.standIn = users.values().next().value ?? '';
  }

  /** The verdict on a request's `Authorization` header. */
  async check(authorization: string | undefined): Promise<AuthVerdict> {
    const credentials = parseBasic(authorization);
    if (!credentials) return 'denied';
    const { user, password } = credentials;
    const digest = createHmac('sha256', this.digestKey)
      .update(user)
      .update('\0')
      .update(password)
      .digest();
    const remembered = this.passed.get(user);
    if (remembered && timingSafeEqual(remembered, digest)) return 'ok';
    if (this.pending.size >= MAX_PENDING_CHECKS) return 'busy';
    const hash = this.users.get(user);
    const matches = await this.compare(password, hash ?? this.standIn);
    if (hash === undefined || !matches) return 'denied';
    this.passed.set(user, digest);
    return 'ok';
  }

  /** Stops the worker (pending checks are denied). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.denyPending();
    await worker?.terminate();
  }

  /** One bcrypt check in the worker, queued behind the others. */
  protected compare(password: string, hash: string): Promise<boolean> {
    const worker = (this.worker ??= this.startWorker());
    const id = this.nextId++;
    return new Promise<boolean>((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, password, hash });
    });
  }

  private startWorker(): Worker {
    const worker = new Worker(join(__dirname, 'bcrypt.worker.js'), {
      workerData: { bcryptjs: this.bcryptjsPath },
    });
    // The server's own sockets keep the process alive; the worker never does.
    worker.unref();
    worker.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      resolve?.(ok);
    });
    // A worker that dies fails closed; the next check starts a new one.
    const lost = () => {
      if (this.worker === worker) this.worker = undefined;
      this.denyPending();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return worker;
  }

  private denyPending(): void {
    for (const resolve of this.pending.values()) resolve(false);
    this.pending.clear();
  }
}

/** User and password of a `Basic` Authorization header (RFC 7617); undefined otherwise. */
export function parseBasic(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = header && /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? undefined
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
