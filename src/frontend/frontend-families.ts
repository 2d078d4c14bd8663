import type {
  ConstLabels,
  CounterVec,
  GaugeSeries,
  GaugeVec,
  HistogramVec,
  MetricsLevel,
} from '../core';
import {
  COMPONENT_FRONTEND_METRICS as C,
  FRONTEND_ERROR_TYPES,
  FRONTEND_METRICS as M,
  RequestType,
} from './frontend-metrics.constants';
import type { ModelSeries, RequestOutcome } from './frontend-request';

type Histograms = Record<
  'duration' | 'inputTokens' | 'outputTokens' | 'timeToFirstToken' | 'interTokenLatency',
  HistogramVec
>;

interface HistogramSpec {
  name: string;
  help: string;
  labels: readonly string[];
  buckets: readonly number[];
}

/**
 * The frontend's metric families in one naming profile. `classic`: the guide's set. `component`:
 * today's Dynamo's, with `error_type` on requests, `dynamo_namespace` on every metric, and
 * active, queued, disconnected, output-token and cached-token metrics.
 */
export class FrontendFamilies {
  readonly requests: CounterVec;
  private readonly inflight: GaugeVec;
  private readonly histograms: Histograms;
  private readonly component?: {
    active: GaugeVec;
    queued: GaugeVec;
    outputTokensTotal: CounterVec;
    cachedTokens: HistogramVec;
    disconnected: GaugeSeries;
  };
  /** `component`: (model, endpoint, type) triples whose outcome series exist. */
  private readonly outcomesSeen = new Set<string>();

  constructor(level: MetricsLevel, namespace?: string) {
    const constLabels: ConstLabels =
      namespace === undefined ? {} : { [C.namespaceLabel]: namespace };
    const requestLabels =
      namespace === undefined ? M.requests.labels : [...M.requests.labels, C.errorTypeLabel];
    this.requests = level.createIntCounterVec(
      M.requests.name,
      M.requests.help,
      requestLabels,
      constLabels,
    );
    const gauge = (d: { name: string; help: string; labels: readonly string[] }) =>
      level.createIntGaugeVec(d.name, d.help, d.labels, constLabels);
    const histogram = (d: HistogramSpec) =>
      level.createHistogramVec(d.name, d.help, d.labels, constLabels, d.buckets);
    this.inflight = gauge(M.inflight);
    this.histograms = {
      duration: histogram(M.duration),
      inputTokens: histogram(M.inputTokens),
      outputTokens: histogram(M.outputTokens),
      timeToFirstToken: histogram(M.timeToFirstToken),
      interTokenLatency: histogram(M.interTokenLatency),
    };
    if (namespace === undefined) return;
    this.component = {
      active: gauge(C.active),
      queued: gauge(C.queued),
      outputTokensTotal: level.createIntCounterVec(
        C.outputTokensTotal.name,
        C.outputTokensTotal.help,
        C.outputTokensTotal.labels,
        constLabels,
      ),
      cachedTokens: histogram(C.cachedTokens),
      disconnected: level.createIntGauge(C.disconnected.name, C.disconnected.help, constLabels),
    };
  }

  /** The series of one model (the label value already budgeted and lower-cased). */
  modelSeries(model: string): ModelSeries {
    const h = this.histograms;
    const c = this.component;
    return {
      inflight: this.inflight.labels(model),
      duration: h.duration.labels(model),
      inputTokens: h.inputTokens.labels(model),
      outputTokens: h.outputTokens.labels(model),
      timeToFirstToken: h.timeToFirstToken.labels(model),
      interTokenLatency: h.interTokenLatency.labels(model),
      active: c?.active.labels(model),
      queued: c?.queued.labels(model),
      outputTokensTotal: c?.outputTokensTotal.labels(model),
      cachedTokens: c?.cachedTokens.labels(model),
    };
  }

  /** How one request's end is counted in `requests_total`. */
  outcome(model: string, endpoint: string, type: RequestType): RequestOutcome {
    const requests = this.requests;
    const c = this.component;
    if (c === undefined) {
      return (status, _errorType, refused) => {
        if (!refused) requests.labels(model, endpoint, type, status).inc();
      };
    }
    const key = JSON.stringify([model, endpoint, type]);
    if (!this.outcomesSeen.has(key)) {
      this.outcomesSeen.add(key);
      // Every outcome exported at 0 from the first request on, so per-error-type panels show
      // a flat line rather than no data.
      requests.labels(model, endpoint, type, 'success', '');
      for (const e of FRONTEND_ERROR_TYPES) requests.labels(model, endpoint, type, 'error', e);
    }
    return (status, errorType) => {
      requests.labels(model, endpoint, type, status, errorType ?? '').inc();
      if (errorType === 'cancelled') c.disconnected.inc();
    };
  }
}
