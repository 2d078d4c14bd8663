// Finds the worker and LLM frontend families in a scrape whatever their prefix and naming
// profile (classic `dynamo_*` + `nv_llm_http_service_*`, or component `dynamo_component_*` +
// `dynamo_frontend_*`), by name suffix and label names, and derives what the page shows.
import { quantilesBy, ratesBy, sumBy } from './metric-math.mjs';

/** Hierarchy label names of each profile: namespace, component, endpoint. */
const HIERARCHY_LABELS = [
  ['namespace', 'component', 'endpoint'],
  ['dynamo_namespace', 'dynamo_component', 'dynamo_endpoint'],
];
const QS = [0.5, 0.99];

const hierarchyOf = (labels) =>
  'model' in labels ? undefined : HIERARCHY_LABELS.find(([, , e]) => e in labels);

/** Worker series key: the JSON of [namespace, component, endpoint]. */
const workerKey = (labels) => {
  const names = hierarchyOf(labels);
  return names && JSON.stringify(names.map((n) => labels[n] ?? ''));
};
const modelKey = (labels) => labels.model;
const has = (scrape, name, keyOf) =>
  (scrape.samples.get(name) ?? []).some((s) => keyOf(s.labels) !== undefined);

/**
 * The stem (prefix with its `_`) of every `<stem>requests_total` whose series `keyOf` accepts
 * and that has a `<stem><companion>` beside it; the hinted one if present, else the shortest.
 */
function findStem(scrape, keyOf, companions, hint) {
  const stems = [];
  for (const name of scrape.samples.keys()) {
    if (!name.endsWith('requests_total') || !has(scrape, name, keyOf)) continue;
    const stem = name.slice(0, -'requests_total'.length);
    if (companions.some((c) => has(scrape, stem + c, keyOf))) stems.push(stem);
  }
  if (hint !== undefined && stems.includes(hint)) return hint;
  return stems.sort((a, b) => a.length - b.length)[0];
}

/** The names the page reads, found in `scrape`; `hints` are the server's configured stems. */
export function findFamilies(scrape, hints = {}) {
  const worker = findStem(scrape, workerKey, ['request_duration_seconds_count'], hints.worker);
  const frontend = findStem(
    scrape,
    modelKey,
    ['inflight_requests', 'time_to_first_token_seconds_count'],
    hints.frontend,
  );
  const first = (stem, names, keyOf) =>
    names.map((n) => stem + n).find((n) => has(scrape, n, keyOf)) ?? stem + names[0];
  const uptime = [...scrape.samples.keys()].find((n) => n.endsWith('system_uptime_seconds'));
  return {
    uptime,
    worker:
      worker === undefined
        ? undefined
        : {
            stem: worker,
            requests: `${worker}requests_total`,
            inflight: first(worker, ['concurrent_requests', 'inflight_requests'], workerKey),
            duration: `${worker}request_duration_seconds`,
            errors: `${worker}errors_total`,
          },
    frontend:
      frontend === undefined
        ? undefined
        : {
            stem: frontend,
            requests: `${frontend}requests_total`,
            inflight: `${frontend}inflight_requests`,
            ttft: `${frontend}time_to_first_token_seconds`,
            itl: `${frontend}inter_token_latency_seconds`,
            // The component profile counts output tokens directly; classic has the histogram's sum.
            outputTokens: first(
              frontend,
              ['output_tokens_total', 'output_sequence_tokens_sum'],
              modelKey,
            ),
          },
  };
}

/**
 * Everything the page shows, from the scrape `now` and the one taken a window earlier (`past`,
 * may be undefined: rates and percentiles are then NaN). Both are { t: ms, scrape }.
 */
export function derive(now, past, families) {
  const uptimes = families.uptime ? sumBy(now.scrape, families.uptime, () => '') : new Map();
  return {
    uptime: uptimes.get(''),
    workers: families.worker ? workers(now, past, families.worker) : [],
    models: families.frontend ? models(now, past, families.frontend) : [],
  };
}

function workers(now, past, f) {
  const totals = sumBy(now.scrape, f.requests, workerKey);
  const rates = ratesBy(now, past, f.requests, workerKey);
  const inflight = sumBy(now.scrape, f.inflight, workerKey);
  const durations = quantilesBy(now, past, f.duration, workerKey, QS);
  const errorKey = (l) => {
    const key = workerKey(l);
    return key && l.error_type !== undefined ? JSON.stringify([key, l.error_type]) : undefined;
  };
  const errorRates = ratesBy(now, past, f.errors, errorKey);
  return [...totals.keys()].sort().map((key) => {
    const [namespace, component, endpoint] = JSON.parse(key);
    const errors = [...errorRates]
      .map(([k, rate]) => [JSON.parse(k), rate])
      .filter(([[k]]) => k === key)
      .map(([[, type], rate]) => ({ type, rate }));
    const [p50, p99] = durations.get(key) ?? [NaN, NaN];
    return {
      key,
      namespace,
      component,
      endpoint,
      requests: totals.get(key),
      rate: rates.get(key),
      inflight: inflight.get(key) ?? 0,
      errorRate: errors.reduce((sum, e) => sum + e.rate, 0),
      errors,
      p50,
      p99,
    };
  });
}

function models(now, past, f) {
  const totals = sumBy(now.scrape, f.requests, modelKey);
  const byStatus = (status) => (l) => (l.status === status ? l.model : undefined);
  const ok = ratesBy(now, past, f.requests, byStatus('success'));
  const failed = ratesBy(now, past, f.requests, byStatus('error'));
  const all = ratesBy(now, past, f.requests, modelKey);
  const inflight = sumBy(now.scrape, f.inflight, modelKey);
  const ttft = quantilesBy(now, past, f.ttft, modelKey, QS);
  const itl = quantilesBy(now, past, f.itl, modelKey, QS);
  const tokens = ratesBy(now, past, f.outputTokens, modelKey);
  // A model with no series of a status yet has 0/s of it, once there is a rate at all.
  const orZero = (rates, model) => rates.get(model) ?? (Number.isNaN(all.get(model)) ? NaN : 0);
  return [...totals.keys()].sort().map((model) => ({
    model,
    requests: totals.get(model),
    rate: all.get(model),
    successRate: orZero(ok, model),
    errorRate: orZero(failed, model),
    inflight: inflight.get(model) ?? 0,
    ttft: ttft.get(model) ?? [NaN, NaN],
    itl: itl.get(model) ?? [NaN, NaN],
    tokenRate: tokens.get(model) ?? NaN,
  }));
}
