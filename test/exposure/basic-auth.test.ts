import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BasicAuth, parseBasic } from '../../src/internal';
import { bcryptHash as hash, requireBcrypt } from '../support/tls';

/**
 * Basic auth of the system server's web config, as exporter-toolkit does it: bcrypt (hashes
 * made by python3-bcrypt, checked by bcryptjs in a worker thread), successes remembered so a
 * scrape every 15 s pays for bcrypt once, failures never remembered, unknown users checked
 * against a real hash, and a bounded queue of checks.
 */

const header = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

/** Counts the bcrypt checks that reach the worker. */
class CountingAuth extends BasicAuth {
  readonly compared: string[] = [];
  protected override compare(password: string, hash: string): Promise<boolean> {
    this.compared.push(hash);
    return super.compare(password, hash);
  }
}

describe('basic auth with bcrypt hashes', () => {
  it('a success is remembered; failures and unknown users always pay for bcrypt', async (t) => {
    if (!requireBcrypt(t)) return;
    const users = new Map([
      ['prometheus', hash('s3cret:with colon')],
      ['grafana', hash('other')],
    ]);
    const auth = new CountingAuth(users, require.resolve('bcryptjs'));
    try {
      const right = header('prometheus:s3cret:with colon');
      assert.equal(await auth.check(right), 'ok');
      assert.equal(await auth.check(right), 'ok');
      assert.equal(await auth.check(right), 'ok');
      assert.equal(auth.compared.length, 1, 'bcrypt ran for the first success only');

      assert.equal(await auth.check(header('prometheus:wrong')), 'denied');
      assert.equal(await auth.check(header('prometheus:wrong')), 'denied');
      assert.equal(auth.compared.length, 3, 'each failure runs bcrypt again');
      // Another user's password does not pass, remembered success or not.
      assert.equal(await auth.check(header('grafana:s3cret:with colon')), 'denied');
      assert.equal(await auth.check(header('grafana:other')), 'ok');

      // An unknown user is checked against a configured hash (the same cost), then denied,
      // even with that user's password.
      assert.equal(await auth.check(header('mallory:s3cret:with colon')), 'denied');
      assert.equal(auth.compared.at(-1), users.get('prometheus'));
      assert.equal(auth.compared.length, 6);

      for (const bad of [undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', header('no-colon')]) {
        assert.equal(await auth.check(bad), 'denied', String(bad));
      }
      assert.equal(auth.compared.length, 6, 'malformed headers never reach bcrypt');
    } finally {
      await auth.close();
    }
  });

  it('past 32 checks waiting, requests get "busy" at once instead of a longer queue', async (t) => {
    if (!requireBcrypt(t)) return;
    const auth = new BasicAuth(
      new Map([['prometheus', hash('right')]]),
      require.resolve('bcryptjs'),
    );
    try {
      // Issued in one turn of the loop: no check can finish before the last is asked for.
      const verdicts = await Promise.all(
        Array.from({ length: 40 }, (_, i) => auth.check(header(`prometheus:wrong${i}`))),
      );
      assert.equal(verdicts.filter((v) => v === 'busy').length, 8);
      assert.equal(verdicts.filter((v) => v === 'denied').length, 32);
      // The queue drained: checks are taken again.
      assert.equal(await auth.check(header('prometheus:right')), 'ok');
    } finally {
      await auth.close();
    }
  });

  it('close() denies the checks still waiting and stops the worker', async (t) => {
    if (!requireBcrypt(t)) return;
    // Cost 12: a check takes long enough that close() comes first.
    const auth = new BasicAuth(new Map([['p', hash('right', 12)]]), require.resolve('bcryptjs'));
    const pending = auth.check(header('p:right'));
    await auth.close();
    assert.equal(await pending, 'denied');
  });
});

describe('parseBasic (RFC 7617)', () => {
  it('splits at the first colon; the scheme is case-insensitive; UTF-8 credentials', () => {
    assert.deepEqual(parseBasic(header('u:p:q')), { user: 'u', password: 'p:q' });
    assert.deepEqual(parseBasic(`basic ${Buffer.from('u:').toString('base64')}`), {
      user: 'u',
      password: '',
    });
    assert.deepEqual(parseBasic(header('ü:ñ€')), { user: 'ü', password: 'ñ€' });
    assert.equal(parseBasic(header('nocolon')), undefined);
    assert.equal(parseBasic('Digest abc'), undefined);
    assert.equal(parseBasic(undefined), undefined);
  });
});
