/**
 * Requests the HTTP server metrics leave out, by path (the request target without its query
 * string): strings match a path exactly, RegExps by `test()`. Decided when a request starts, so
 * an excluded request is in none of the families, `active_requests` included.
 */
export class PathExclusions {
  private readonly exact: ReadonlySet<string>;
  /** The lengths of the exact paths: most paths are ruled out without hashing them. */
  private readonly lengths: ReadonlySet<number>;
  private readonly patterns: readonly RegExp[];

  constructor(entries: ReadonlyArray<string | RegExp>) {
    this.exact = new Set(entries.filter((e): e is string => typeof e === 'string'));
    this.lengths = new Set([...this.exact].map((p) => p.length));
    this.patterns = entries.filter((e): e is RegExp => e instanceof RegExp);
  }

  /** `url`: the request target as received (`req.url`). */
  matches(url: string): boolean {
    const query = url.indexOf('?');
    const length = query < 0 ? url.length : query;
    if (this.lengths.has(length) && this.exact.has(query < 0 ? url : url.slice(0, query))) {
      return true;
    }
    if (this.patterns.length === 0) return false;
    const path = query < 0 ? url : url.slice(0, query);
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
