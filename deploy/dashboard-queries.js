#!/usr/bin/env node
'use strict';
/**
 * Lists every PromQL expression of every Grafana dashboard in a folder, with Grafana's template
 * variables replaced by values that work against a plain Prometheus query API, so each query can
 * be run (and checked for data) in a test.
 *
 *   const { dashboardQueries } = require('./deploy/dashboard-queries');
 *   for (const q of dashboardQueries('deploy/grafana/dashboards')) console.log(q.panel, q.expr);
 *
 * Run directly, it prints them:  node deploy/dashboard-queries.js [dir] [--json]
 *
 * Substitutions (override or extend with `options.vars`):
 *   - $model, $namespace, $component, $endpoint, and every other variable a dashboard defines in
 *     `templating.list` -> `.*` (the value of "All" in these dashboards);
 *   - $__rate_interval -> 1m, $__interval -> 15s, $__range -> 5m (and their _ms/_s forms).
 * `$name`, `${name}`, `${name:format}` and `[[name]]` are all recognised. A variable that is neither
 * built in nor defined by the dashboard is an error, so a typo never reaches Prometheus silently.
 *
 * Plain Node, CommonJS, no dependencies.
 */
const fs = require('fs');
const path = require('path');

const DEFAULT_VARS = Object.freeze({
  model: '.*',
  namespace: '.*',
  component: '.*',
  endpoint: '.*',
  __rate_interval: '1m',
  __rate_interval_ms: '60000',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
});

const VARIABLE_RE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/** Replaces Grafana variables in `expr`; throws on a variable missing from `vars`. */
function substitute(expr, vars, where) {
  return expr.replace(VARIABLE_RE, (match, braced, bracketed, plain) => {
    const name = braced || bracketed || plain;
    if (!Object.prototype.hasOwnProperty.call(vars, name)) {
      throw new Error(`${where}: unknown template variable ${match} in ${JSON.stringify(expr)}`);
    }
    return vars[name];
  });
}

/**
 * Walks a dashboard's panels in order, including panels nested in (collapsed) rows and in
 * library-style nested `panels` arrays, and yields { panel, row } with the title of the row the
 * panel sits under (a non-collapsed row owns the top-level panels that follow it).
 */
function* walkPanels(panels, rowTitle) {
  let currentRow = rowTitle;
  for (const panel of panels || []) {
    if (panel.type === 'row') {
      currentRow = panel.title || '';
      yield* walkPanels(panel.panels, currentRow);
      continue;
    }
    yield { panel, row: currentRow };
    if (Array.isArray(panel.panels)) yield* walkPanels(panel.panels, currentRow);
  }
}

/**
 * @param {string} dir folder holding Grafana dashboard JSON files (`*.json`, not recursive)
 * @param {{ vars?: Record<string,string>, files?: string[] }} [options]
 *   vars: extra or overriding substitutions; files: only these file names (e.g. ['dynamo-nestjs.json'])
 * @returns {Array<{file: string, dashboard: string, dashboardUid: string, row: string|null,
 *   panel: string, panelId: number, refId: string, rawExpr: string, expr: string,
 *   datasource: object|undefined, hidden: boolean, exemplar: boolean}>}
 */
function dashboardQueries(dir, options = {}) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .filter((f) => !options.files || options.files.includes(f))
    .sort();
  const out = [];
  for (const file of files) {
    const full = path.join(dir, file);
    let dash;
    try {
      dash = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (err) {
      throw new Error(`${full}: not valid JSON: ${err.message}`);
    }
    // Grafana's export wraps the model in { dashboard: ... } when saved via the API.
    if (dash && dash.dashboard && !dash.panels) dash = dash.dashboard;
    const vars = { ...DEFAULT_VARS };
    for (const v of (dash.templating && dash.templating.list) || []) {
      if (v && v.name && !(v.name in DEFAULT_VARS)) vars[v.name] = '.*';
    }
    Object.assign(vars, options.vars || {});
    const dashboard = dash.title || file;
    for (const { panel, row } of walkPanels(dash.panels, null)) {
      for (const t of panel.targets || []) {
        const where = `${file} / ${panel.title} [${t.refId}]`;
        if (typeof t.expr !== 'string' || t.expr.trim() === '') {
          throw new Error(`${where}: target has no PromQL expr`);
        }
        out.push({
          file,
          dashboard,
          dashboardUid: dash.uid,
          row,
          panel: panel.title,
          panelId: panel.id,
          refId: t.refId,
          rawExpr: t.expr,
          expr: substitute(t.expr, vars, where),
          datasource: t.datasource || panel.datasource,
          hidden: t.hide === true,
          exemplar: t.exemplar === true,
        });
      }
    }
  }
  return out;
}

module.exports = { dashboardQueries, substitute, DEFAULT_VARS };

if (require.main === module) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dir = args.find((a) => !a.startsWith('--')) || path.join(__dirname, 'grafana', 'dashboards');
  const queries = dashboardQueries(dir);
  if (json) {
    process.stdout.write(JSON.stringify(queries, null, 2) + '\n');
  } else {
    for (const q of queries) {
      process.stdout.write(`# ${q.dashboard} / ${q.panel} [${q.refId}]\n${q.expr}\n\n`);
    }
    process.stdout.write(`${queries.length} queries\n`);
  }
}
