#!/usr/bin/env node
'use strict';
/**
 * Moves a Grafana dashboard (or any text of PromQL) from one naming profile to the other:
 *
 *   node deploy/convert-dashboard.js my-dashboard.json --to component > my-dashboard.component.json
 *   node deploy/convert-dashboard.js my-dashboard.json --to classic   > my-dashboard.classic.json
 *
 * What changes (README, "Naming profiles"), classic -> component:
 *   - nv_llm_http_service_<x>       -> dynamo_frontend_<x>   (the default frontend prefixes)
 *   - dynamo_concurrent_requests    -> dynamo_component_inflight_requests
 *   - dynamo_system_uptime_seconds  -> dynamo_component_uptime_seconds
 *   - any other dynamo_<x>          -> dynamo_component_<x>  (hierarchy metrics)
 *   - in queries on hierarchy metrics, the label keys namespace / component / endpoint ->
 *     dynamo_namespace / dynamo_component / dynamo_endpoint (matchers, by/without lists,
 *     label_values(), {{legend}} references). Frontend queries keep `endpoint`: there it is the
 *     OpenAI route, in both profiles.
 * and back with --to classic. Grafana variable names ($namespace) are left as they are. Metrics
 * only one profile has (component: queued/active requests, cached tokens, error_type, ...) keep
 * their names, so their panels show no data in the other profile. A classic `prefix` other than
 * `dynamo` is given with --classic-prefix.
 *
 * Plain Node, CommonJS, no dependencies.
 */
const fs = require('fs');

const HIERARCHY = {
  namespace: 'dynamo_namespace',
  component: 'dynamo_component',
  endpoint: 'dynamo_endpoint',
};

function profileNames(options = {}) {
  return {
    classic: {
      hierarchy: `${options.classicPrefix || 'dynamo'}_`,
      frontend: 'nv_llm_http_service_',
    },
    component: { hierarchy: 'dynamo_component_', frontend: 'dynamo_frontend_' },
  };
}

/** Metric renames that are not just a prefix swap: [classic suffix, component suffix]. */
const RENAMED = [
  ['concurrent_requests', 'inflight_requests'],
  ['system_uptime_seconds', 'uptime_seconds'],
];

const METRIC_RE = /\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g;

/** Converts one PromQL expression (or variable query) to profile `to`. */
function convertExpr(expr, to, options = {}) {
  return convert(expr, to, options).text;
}

/** The converted text, and whether it queries hierarchy metrics (whose labels were renamed). */
function convert(expr, to, options) {
  const names = profileNames(options);
  const from = to === 'component' ? names.classic : names.component;
  const into = names[to];
  let hierarchyQuery = false;
  let out = expr.replace(METRIC_RE, (word) => {
    if (word.startsWith(from.frontend)) return into.frontend + word.slice(from.frontend.length);
    // The other profile's frontend or (component) hierarchy prefix is not ours to touch.
    if (word.startsWith(into.frontend) || (to === 'component' && word.startsWith(into.hierarchy))) {
      return word;
    }
    if (!word.startsWith(from.hierarchy)) return word;
    hierarchyQuery = true;
    let rest = word.slice(from.hierarchy.length);
    for (const [classic, component] of RENAMED) {
      const [a, b] = to === 'component' ? [classic, component] : [component, classic];
      if (rest === a || rest.startsWith(`${a}_`)) rest = b + rest.slice(a.length);
    }
    return into.hierarchy + rest;
  });
  if (!hierarchyQuery && !options.hierarchyLabels) return { text: out, hierarchy: false };
  const pairs = Object.entries(HIERARCHY).map(([c, k]) => (to === 'component' ? [c, k] : [k, c]));
  for (const [a, b] of pairs) {
    // Matchers: {namespace=~"..."}; by/without lists and label_values(m, namespace); legends.
    out = out
      .replace(new RegExp(`([{,]\\s*)${a}(\\s*(?:=~|!~|!=|=))`, 'g'), `$1${b}$2`)
      .replace(
        /\b(by|without)\s*\(([^)]*)\)/g,
        (m, kw, list) =>
          `${kw} (${list
            .split(',')
            .map((l) => (l.trim() === a ? b : l.trim()))
            .join(', ')})`,
      )
      .replace(new RegExp(`(label_values\\(.*,\\s*)${a}(\\s*\\))`, 'g'), `$1${b}$2`)
      .replace(new RegExp(`\\{\\{\\s*${a}\\s*\\}\\}`, 'g'), `{{${b}}}`);
  }
  return { text: out, hierarchy: true };
}

/** Converts every query, legend and template variable query of a dashboard object. */
function convertDashboard(dashboard, to, options = {}) {
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node.targets)) {
      for (const t of node.targets) {
        if (typeof t.expr !== 'string') continue;
        const { text, hierarchy } = convert(t.expr, to, options);
        t.expr = text;
        // A legend names the labels of its query's result.
        if (hierarchy && typeof t.legendFormat === 'string') {
          t.legendFormat = convert(t.legendFormat, to, { ...options, hierarchyLabels: true }).text;
        }
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'targets') continue;
      if ((key === 'definition' || key === 'query') && typeof value === 'string') {
        node[key] = convertExpr(value, to, options);
      } else walk(value);
    }
  };
  walk(dashboard);
  return dashboard;
}

module.exports = { convertExpr, convertDashboard };

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const to = value('--to') || 'component';
  const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (!file || !['classic', 'component'].includes(to)) {
    console.error(
      'usage: node deploy/convert-dashboard.js <dashboard.json> [--to component|classic] [--classic-prefix dynamo]',
    );
    process.exit(2);
  }
  const options = { classicPrefix: value('--classic-prefix') };
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));
  process.stdout.write(JSON.stringify(convertDashboard(dashboard, to, options), null, 2) + '\n');
}
