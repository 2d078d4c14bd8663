import type {
  ConstLabels,
  CounterSeries,
  FrontendBucketSet,
  FrontendFamilySpec,
  FrontendNaming,
  FrontendRole,
  GaugeSeries,
  HistogramSeries,
  MetricsLevel,
  MetricVec,
} from '../core';
import { tupleKey } from '../core';
import type { RequestType } from './frontend-metrics.constants';
import type { ModelSeries, RequestOutcome } from './frontend-request';
import { NOOP_SERIES, SeriesLike } from './noop-series';

type AnySeries = CounterSeries | GaugeSeries | HistogramSeries;
/** A vec, or a plain metric seen as a vec without labels. */
type Family = Pick<MetricVec<AnySeries>, 'labels'>;

/**
 * The frontend's families as the naming profile lists them: those marked lazy are created on
 * first use, so a family exists only once something was recorded in it. A role the profile
 * does not list records into a no-op series.
 */
export class FrontendFamilies {
  private readonly vecs = new Map<FrontendRole, Family>();
  private readonly constLabels: ConstLabels;
  /** (model, endpoint, type) triples whose preset outcome series exist. */
  private readonly outcomesSeen = new Set<string>();

  constructor(
    private readonly level: MetricsLevel,
    private readonly profile: FrontendNaming,
    namespace: string,
    private readonly buckets: Readonly<Record<FrontendBucketSet, readonly number[]>>,
  ) {
    this.constLabels = profile.constLabels(namespace);
    for (const [role, spec] of Object.entries(profile.families)) {
      if (spec.lazy !== true) this.create(role as FrontendRole, spec);
    }
  }

  /** Full name of `requests_total`, under which model overflows are counted. */
  get requestsName(): string {
    return (this.family('requests') as MetricVec<AnySeries>).name;
  }

  /** The series of `role` for `labels`, or a no-op when the profile has no such family. */
  series(role: FrontendRole, ...labels: string[]): SeriesLike {
    const vec = this.family(role);
    // Each family's series has the methods its role calls; the rest are never called on it.
    return (vec ? vec.labels(...labels) : NOOP_SERIES) as SeriesLike;
  }

  /** The series of one model (the label value already budgeted and lower-cased). */
  modelSeries(model: string): ModelSeries {
    return {
      inflight: this.series('inflight', model),
      active: this.series('active', model),
      queued: this.series('queued', model),
      duration: this.series('duration', model),
      inputTokens: this.series('inputTokens', model),
      outputTokens: this.series('outputTokens', model),
      timeToFirstToken: this.series('timeToFirstToken', model),
      interTokenLatency: this.series('interTokenLatency', model),
      cachedTokens: this.series('cachedTokens', model),
      outputTokensTotal: this.series('outputTokensTotal', model),
    };
  }

  /**
   * Counts a request's start (`requests_started_total`) and returns how its end is counted:
   * `requests_total` with the profile's outcome labels, plus the cancellation, disconnect and
   * rejection counters where the profile has them.
   */
  outcome(model: string, endpoint: string, type: RequestType): RequestOutcome {
    const p = this.profile;
    const requests = this.family('requests')!;
    this.series('requestsStarted', model, endpoint, type).inc();
    if (p.presetOutcomes.length > 0) {
      const key = tupleKey([model, endpoint, type]);
      if (!this.outcomesSeen.has(key)) {
        this.outcomesSeen.add(key);
        // The profile's preset outcomes exported at 0 from the first request on.
        for (const [status, errorType] of p.presetOutcomes) {
          requests.labels(model, endpoint, type, ...p.outcomeLabels(status, errorType));
        }
      }
    }
    return (status, errorType, refused) => {
      if (refused && !p.countsRefusals) return;
      const counter = requests.labels(model, endpoint, type, ...p.outcomeLabels(status, errorType));
      (counter as CounterSeries).inc();
      if (errorType === 'cancelled') {
        this.series('disconnected').inc();
        this.series('cancellation', model, endpoint, type).inc();
      } else if (errorType === 'overload') {
        this.series('rejection', model, endpoint).inc();
      }
    };
  }

  /** A family, created now if the profile marks it lazy; undefined when the profile has none. */
  family(role: FrontendRole): Family | undefined {
    const vec = this.vecs.get(role);
    if (vec) return vec;
    const spec = this.profile.families[role];
    return spec && this.create(role, spec);
  }

  private create(role: FrontendRole, spec: FrontendFamilySpec): Family {
    const { name, help, labels } = spec;
    const [level, constLabels] = [this.level, this.constLabels];
    let family: Family;
    if (labels.length === 0) {
      // No variable labels: a plain metric (a vec needs at least one label name).
      const plain =
        spec.type === 'intGauge'
          ? level.createIntGauge(name, help, constLabels)
          : level.createIntCounter(name, help, constLabels);
      family = { labels: () => plain };
    } else if (spec.type === 'histogram') {
      const b = spec.buckets!;
      const bounds = typeof b === 'string' ? this.buckets[b] : b;
      family = level.createHistogramVec(name, help, labels, constLabels, bounds);
    } else if (spec.type === 'intGauge') {
      family = level.createIntGaugeVec(name, help, labels, constLabels);
    } else {
      family = level.createIntCounterVec(name, help, labels, constLabels);
    }
    this.vecs.set(role, family);
    return family;
  }
}
