import type {
  DistributedRuntime,
  GaugeSeries,
  GaugeVec,
  HistogramSeries,
  HistogramVec,
} from '../core';
import {
  BODY_SIZE_BUCKETS,
  CANCELLED,
  HTTP_SERVER_METRICS as M,
  HTTP_SERVER_PREFIX,
  METHOD_LABEL,
  OTHER_METHOD,
  REQUEST_LABELS,
} from './http-server.constants';

/** The series one finished request updates. */
export interface RequestSeries {
  readonly duration: HistogramSeries;
  readonly requestBody: HistogramSeries;
  readonly responseBody: HistogramSeries;
}

/** Series of one label set kept per route; past it, a route resolves its series each time. */
const MAX_CACHED_PER_ROUTE = 1000;

/**
 * One route's series, resolved once per (method, status, outcome): a request pays one lookup
 * of a small integer key. `template` is the route as registered, `''` for no route.
 */
export class RouteSeries {
  private readonly cache = new Map<number, RequestSeries>();

  constructor(
    readonly template: string,
    private readonly families: HttpServerFamilies,
  ) {}

  /** `status` 0: no status was sent; `complete` false: the response did not complete. */
  series(method: number, status: number, complete: boolean): RequestSeries {
    const key = (method * 1000 + status) * 2 + (complete ? 0 : 1);
    let series = this.cache.get(key);
    if (series === undefined) {
      series = this.families.resolve(method, this.template, status, complete);
      if (this.cache.size < MAX_CACHED_PER_ROUTE) this.cache.set(key, series);
    }
    return series;
  }
}

/**
 * The four families, created at runtime level under `http_server_` (no hierarchy labels), and
 * the methods known by index: `_OTHER` is the last.
 */
export class HttpServerFamilies {
  private readonly duration: HistogramVec;
  private readonly requestBody: HistogramVec;
  private readonly responseBody: HistogramVec;
  private readonly activeVec: GaugeVec;
  private readonly methodIndex = new Map<string, number>();
  /** Method names by index, `_OTHER` last. */
  private readonly methods: readonly string[];
  /** The active-requests series per method index, created at a method's first request. */
  private readonly active: Array<GaugeSeries | undefined>;

  constructor(
    runtime: DistributedRuntime,
    buckets: readonly number[],
    knownMethods: readonly string[],
  ) {
    const level = runtime.withPrefix(HTTP_SERVER_PREFIX);
    const labels = REQUEST_LABELS;
    this.duration = level.createHistogramVec(M.duration.name, M.duration.help, labels, {}, buckets);
    this.requestBody = level.createHistogramVec(
      M.requestBody.name,
      M.requestBody.help,
      labels,
      {},
      BODY_SIZE_BUCKETS,
    );
    this.responseBody = level.createHistogramVec(
      M.responseBody.name,
      M.responseBody.help,
      labels,
      {},
      BODY_SIZE_BUCKETS,
    );
    this.activeVec = level.createIntGaugeVec(M.active.name, M.active.help, [METHOD_LABEL]);
    this.methods = [...knownMethods, OTHER_METHOD];
    knownMethods.forEach((m, i) => this.methodIndex.set(m, i));
    this.active = new Array<GaugeSeries | undefined>(this.methods.length);
  }

  /** The index of a request's method; unknown methods share `_OTHER`'s. */
  method(name: string): number {
    return this.methodIndex.get(name) ?? this.methods.length - 1;
  }

  /** `http_server_active_requests` of a method index. */
  activeOf(method: number): GaugeSeries {
    return (this.active[method] ??= this.activeVec.labels(this.methods[method]!));
  }

  resolve(method: number, route: string, status: number, complete: boolean): RequestSeries {
    const values = [
      this.methods[method]!,
      route,
      status === 0 ? '' : String(status),
      !complete ? CANCELLED : status >= 500 ? String(status) : '',
    ];
    return {
      duration: this.duration.labels(...values),
      requestBody: this.requestBody.labels(...values),
      responseBody: this.responseBody.labels(...values),
    };
  }
}
