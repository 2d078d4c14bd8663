import { sleep } from './net';

/** Thrown by a `poll` check to stop waiting at once (e.g. the process under test died). */
export class StopWaiting extends Error {}

export interface PollOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 20 ms). */
  intervalMs?: number;
}

/**
 * The one polling helper of the suite: calls `check` until it returns a value other than
 * `undefined` or `false`, and returns that value. A check that throws (e.g. a failing
 * `assert`) is tried again; on timeout its last error is part of the message. `StopWaiting`
 * ends the wait at once. Assertion-style checks end with `return true`.
 */
export async function poll<T>(
  what: string | (() => string | Promise<string>),
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 5000, intervalMs = 20 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const described = typeof what === 'string' ? what : await what();
      const detail = lastError instanceof Error ? `; last attempt: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}${detail}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
