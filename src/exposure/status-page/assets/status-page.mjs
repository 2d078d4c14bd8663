// The status page: polls /metrics and /health, keeps a few minutes of history, writes the
// tables and charts. Label values (model names are user input) only ever go into textContent.
import { parseExposition } from './exposition-parser.mjs';
import * as fmt from './format.mjs';
import { LineChart } from './line-chart.mjs';
import { derive, findFamilies } from './metric-families.mjs';

const POLL_MS = 1000;
const WINDOW_MS = 5000;
const SPAN_S = 300;

const { metricsPath, healthPath, historyPath, workerStem, frontendStem } =
  document.documentElement.dataset;
const hints = { worker: workerStem, frontend: frontendStem };
const $ = (selector) => document.querySelector(selector);

const el = (tag, text, attrs = {}) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.dataset[k] = v;
  return node;
};

const charts = (() => {
  const workers = $('#workers .charts');
  const frontend = $('#frontend .charts');
  const chart = (parent, title, format) => new LineChart(parent, title, format, SPAN_S);
  return {
    workerRate: chart(workers, 'Endpoint requests/s', fmt.rate),
    workerLatency: chart(workers, 'Endpoint duration p99 (solid) / p50 (dashed)', fmt.seconds),
    workerErrors: chart(workers, 'Endpoint errors/s', fmt.rate),
    inflight: chart(workers, 'In flight', fmt.count),
    modelRate: chart(frontend, 'Requests/s by model: success (solid) / error (dashed)', fmt.rate),
    ttft: chart(frontend, 'Time to first token p99 (solid) / p50 (dashed)', fmt.seconds),
    itl: chart(frontend, 'Inter-token latency p99 (solid) / p50 (dashed)', fmt.seconds),
    tokens: chart(frontend, 'Output tokens/s', fmt.rate),
  };
})();

/** Scrapes of the last window, oldest first: rates compare the newest with the oldest. */
const recent = [];

async function poll() {
  const t = Date.now();
  try {
    const [metrics, health] = await Promise.all([
      fetch(metricsPath, { headers: { accept: 'text/plain' }, cache: 'no-store' }),
      fetch(healthPath, { cache: 'no-store' }).catch(() => undefined),
    ]);
    if (!metrics.ok) throw new Error(`${metricsPath} answered ${metrics.status}`);
    const now = { t, scrape: parseExposition(await metrics.text()) };
    recent.push(now);
    while (recent.length > 1 && recent[1].t <= t - WINDOW_MS) recent.shift();
    const past = recent.length > 1 ? recent[0] : undefined;
    const families = findFamilies(now.scrape, hints);
    render(t, derive(now, past, families), families);
    renderHealth(
      health && health.headers.get('content-type')?.includes('json')
        ? await health.json()
        : undefined,
    );
    $('#updated').textContent = `updated ${fmt.time(t)}`;
    $('#updated').className = 'muted';
  } catch (err) {
    $('#updated').textContent = `cannot read ${metricsPath}: ${err.message} (retrying)`;
    $('#updated').className = 'badge down';
  }
  setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - t)));
}

function render(t, view, families) {
  $('#uptime').textContent = `uptime: ${fmt.duration(view.uptime)}`;
  $('#workers-source').textContent = families.worker
    ? `from ${families.worker.stem}* (${families.worker.requests}, ${families.worker.inflight}, …)`
    : 'no @DynamoEndpoint() series in /metrics yet';
  $('#frontend-source').textContent = families.frontend
    ? `from ${families.frontend.stem}* (${families.frontend.requests}, ${families.frontend.ttft}, …)`
    : 'no LLM frontend requests yet';
  renderWorkers(view.workers);
  renderModels(view.models);
  pushCharts(t, view);
  for (const chart of Object.values(charts)) chart.draw(t);
}

/** Adds one reading to every chart (from a poll, or from the server's history). */
function pushCharts(t, view) {
  const name = (w) => `${w.component}/${w.endpoint}`;
  const model = (m) => m.model;
  // One line per row, or a pair of lines per row (p99 solid, p50 dashed, one colour).
  const lines = (rows, label, value) =>
    rows.map((r) => ({ key: label(r), label: label(r), value: value(r) }));
  const pairs = (rows, label, [solid, dashed], [a, b]) =>
    rows.flatMap((r) => [
      { key: `${label(r)} ${solid}`, label: `${label(r)} ${solid}`, group: label(r), value: a(r) },
      {
        key: `${label(r)} ${dashed}`,
        label: `${label(r)} ${dashed}`,
        group: label(r),
        value: b(r),
        dashed: true,
      },
    ]);
  const percentiles = ['p99', 'p50'];
  charts.workerRate.push(
    t,
    lines(view.workers, name, (w) => w.rate),
  );
  charts.workerLatency.push(
    t,
    pairs(view.workers, name, percentiles, [(w) => w.p99, (w) => w.p50]),
  );
  charts.workerErrors.push(
    t,
    lines(view.workers, name, (w) => w.errorRate),
  );
  charts.inflight.push(t, [
    ...lines(view.workers, name, (w) => w.inflight),
    ...lines(
      view.models,
      (m) => `model ${m.model}`,
      (m) => m.inflight,
    ),
  ]);
  charts.modelRate.push(
    t,
    pairs(view.models, model, ['success', 'error'], [(m) => m.successRate, (m) => m.errorRate]),
  );
  charts.ttft.push(t, pairs(view.models, model, percentiles, [(m) => m.ttft[1], (m) => m.ttft[0]]));
  charts.itl.push(t, pairs(view.models, model, percentiles, [(m) => m.itl[1], (m) => m.itl[0]]));
  charts.tokens.push(
    t,
    lines(view.models, model, (m) => m.tokenRate),
  );
}

/**
 * The last minutes the server kept (GET /status/history), charted before the first poll, so a
 * page opened after a burst shows it. JSON has no NaN: a missing reading arrives as null.
 */
async function loadHistory() {
  try {
    const res = await fetch(historyPath, { cache: 'no-store' });
    if (!res.ok) return;
    const { points } = await res.json();
    const num = (v) => (typeof v === 'number' ? v : NaN);
    for (const p of points) {
      pushCharts(p.t, {
        workers: p.workers.map((w) => ({
          ...w,
          rate: num(w.rate),
          p50: num(w.p50),
          p99: num(w.p99),
          errorRate: num(w.errorRate),
          inflight: num(w.inflight),
        })),
        models: p.models.map((m) => ({
          ...m,
          successRate: num(m.successRate),
          errorRate: num(m.errorRate),
          inflight: num(m.inflight),
          ttft: (m.ttft ?? []).map(num),
          itl: (m.itl ?? []).map(num),
          tokenRate: num(m.tokenRate),
        })),
      });
    }
  } catch {
    // No history: the charts start now.
  }
}

function row(cells, attrs) {
  const tr = el('tr', undefined, attrs);
  for (const [field, text] of cells) tr.append(el('td', text, { field }));
  return tr;
}

function fill(tbody, rows, columns, empty) {
  if (rows.length) return tbody.replaceChildren(...rows);
  const td = el('td', empty);
  td.className = 'empty';
  td.colSpan = columns;
  const tr = el('tr');
  tr.append(td);
  tbody.replaceChildren(tr);
}

function renderWorkers(workers) {
  const rows = workers.map((w) => {
    const errors = w.errors.filter((e) => e.rate > 0);
    return row(
      [
        ['name', `${w.namespace} / ${w.component} / ${w.endpoint}`],
        ['requests', fmt.count(w.requests)],
        ['rate', fmt.rate(w.rate)],
        ['inflight', fmt.count(w.inflight)],
        [
          'errors',
          errors.length
            ? errors.map((e) => `${e.type} ${fmt.rate(e.rate)}`).join(', ')
            : fmt.rate(w.errorRate),
        ],
        ['p50', fmt.seconds(w.p50)],
        ['p99', fmt.seconds(w.p99)],
      ],
      { namespace: w.namespace, component: w.component, endpoint: w.endpoint },
    );
  });
  fill($('#workers tbody'), rows, 7, 'no endpoint has recorded a call yet');
}

function renderModels(models) {
  const rows = models.map((m) =>
    row(
      [
        ['model', m.model],
        ['requests', fmt.count(m.requests)],
        ['success-rate', fmt.rate(m.successRate)],
        ['error-rate', fmt.rate(m.errorRate)],
        ['inflight', fmt.count(m.inflight)],
        ['ttft-p50', fmt.seconds(m.ttft[0])],
        ['ttft-p99', fmt.seconds(m.ttft[1])],
        ['itl-p50', fmt.seconds(m.itl[0])],
        ['itl-p99', fmt.seconds(m.itl[1])],
        ['tokens-rate', fmt.rate(m.tokenRate)],
      ],
      { model: m.model },
    ),
  );
  fill($('#frontend tbody'), rows, 10, 'no LLM frontend request yet');
}

function renderHealth(report) {
  const badge = $('#health');
  badge.textContent = `health: ${report?.status ?? 'unknown'}`;
  badge.className = `badge ${report?.status ?? ''}`;
  const endpoints = Object.entries(report?.endpoints ?? {});
  $('#endpoints-health .health-list').replaceChildren(
    ...(endpoints.length
      ? endpoints.map(([name, status]) => el('li', `${name}: ${status}`))
      : [el('li', report ? `system: ${report.status}` : 'no /health report')]),
  );
}

$('#metrics-link').href = metricsPath;
$('#metrics-link').textContent = metricsPath;
loadHistory().then(poll);
