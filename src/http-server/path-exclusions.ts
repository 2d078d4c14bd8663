/**
 * Requests the HTTP server metrics leave out, by path (the request target without its query
 * string): strings match a path exactly, RegExps by `test()`. Decided when a request starts, so
 * an excluded request is in none of the families, `active_requests` included.
 */
export class PathExclusions {
  private readonly exact: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];

  constructor(entries: ReadonlyArray<string | RegExp>) {
    this.exact = new Set(entries.filter((e): e is string => typeof e === 'string'));
    this.patterns = entries.filter((e): e is RegExp => e instanceof RegExp);
  }

  /** `url`: the request target as received (`req.url`). */
  matches(url: string): boolean {
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (this.exact.has(path)) return true;
    for (const pattern of this.patterns) {
      // A global or sticky RegExp keeps its lastIndex between tests; start from 0 each time.
      pattern.lastIndex = 0;
      if (pattern.test(path)) return true;
    }
    return false;
  }
}

/** Each path as routed: as given, and under the global prefix (`api` -> `/api/metrics`). */
export function withGlobalPrefix(paths: readonly string[], prefix: string): string[] {
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return clean === '' ? [...paths] : paths.flatMap((p) => [p, `/${clean}${p}`]);
}
