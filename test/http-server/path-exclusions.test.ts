import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PathExclusions, withGlobalPrefix } from '../../src/internal';

/** The exclusions of the HTTP server metrics: request paths, without their query strings. */
describe('PathExclusions', () => {
  it('strings match a path exactly, with or without a query string', () => {
    const x = new PathExclusions(['/health', '/api/metrics']);
    assert.equal(x.matches('/health'), true);
    assert.equal(x.matches('/health?full=1'), true);
    assert.equal(x.matches('/api/metrics'), true);
    assert.equal(x.matches('/healthz'), false);
    assert.equal(x.matches('/health/'), false);
    assert.equal(x.matches('/Health'), false);
    // Same length as an excluded path, another path.
    assert.equal(x.matches('/wealth'), false);
    assert.equal(x.matches('/wealth?x'), false);
  });

  it('RegExps are tested on the path; a global RegExp gives the same answer every time', () => {
    const x = new PathExclusions([/^\/internal\//g, /\?/]);
    for (let i = 0; i < 3; i++) assert.equal(x.matches('/internal/a?b=1'), true);
    // The query string is not part of what is tested.
    assert.equal(x.matches('/public?internal/'), false);
    assert.equal(new PathExclusions([]).matches('/anything'), false);
  });

  it('the default paths are excluded as given and under the global prefix', () => {
    assert.deepEqual(withGlobalPrefix(['/metrics', '/health'], ''), ['/metrics', '/health']);
    assert.deepEqual(withGlobalPrefix(['/metrics'], 'api'), ['/metrics', '/api/metrics']);
    assert.deepEqual(withGlobalPrefix(['/metrics'], '/v1/api/'), ['/metrics', '/v1/api/metrics']);
  });
});
