import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { REPO_ROOT } from '../support/sample-process';

/** deploy/ and its dashboards as the deploy tests read them. */

export const DEPLOY = join(REPO_ROOT, 'deploy');
export const DASHBOARDS = join(DEPLOY, 'grafana', 'dashboards');

export interface DashboardQuery {
  file: string;
  dashboard: string;
  row: string | null;
  panel: string;
  panelId: number;
  refId: string;
  rawExpr: string;
  expr: string;
}

/** legendFormat of every target, by `panelId/refId` (rows' nested panels included). */
export function legends(file: string): Map<string, string> {
  const out = new Map<string, string>();
  type Panel = {
    id: number;
    panels?: Panel[];
    targets?: Array<{ refId: string; legendFormat?: string }>;
  };
  const walk = (panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.legendFormat) out.set(`${panel.id}/${target.refId}`, target.legendFormat);
      }
      walk(panel.panels);
    }
  };
  walk((JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] }).panels);
  return out;
}

export const { dashboardQueries } = require(join(DEPLOY, 'dashboard-queries.js')) as {
  dashboardQueries(dir: string, options?: { files?: string[] }): DashboardQuery[];
};

export const where = (q: DashboardQuery) =>
  `${q.file} "${q.dashboard}" / panel "${q.panel}" [${q.refId}]\n  expr: ${q.expr}`;

export function promtool(t: Parameters<typeof requireBinary>[0], args: string[]) {
  const bin = requireBinary(t, 'promtool');
  if (!bin) return undefined;
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: REPO_ROOT });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
