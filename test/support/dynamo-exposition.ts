/**
 * What today's Dynamo frontend (ai-dynamo/dynamo lib/llm/src/http/service/metrics.rs) writes on
 * /metrics, as literal text: its default bucket bounds as Rust prints them (`{}` of an f64, the
 * shortest form), its label sets. Written by hand, not by the package, so a test comparing the
 * two cannot agree with itself by construction. Not a test file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './sample-process';

/** Queries of Dynamo's own dashboard and planner (test/deploy/dynamo-reference-queries.json). */
export const DYNAMO_REFERENCE = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'deploy', 'dynamo-reference-queries.json'), 'utf8'),
) as {
  dashboard: Array<{ row: string; panel: string; expr: string }>;
  planner: Array<{ name: string; expr: string; sum?: boolean }>;
};

/** Dynamo's default `le` values, per frontend histogram (without +Inf). */
export const DYNAMO_LE = {
  request_duration_seconds: '0 2 4 8 16 32 64 130 260 510',
  input_sequence_tokens: '0 100 210 430 870 1800 3600 7400 15000 31000 63000 130000',
  cached_tokens: '0 100 210 430 870 1800 3600 7400 15000 31000 63000 130000',
  output_sequence_tokens: '0 100 210 430 880 1800 3700 7600 16000 32000',
  time_to_first_token_seconds:
    '0 0.0022 0.0047 0.01 0.022 0.047 0.1 0.22 0.47 1 2.2 4.7 10 22 48 100 220 480',
  inter_token_latency_seconds: '0 0.0019 0.0035 0.0067 0.013 0.024 0.045 0.084 0.16 0.3 0.56 1.1 2',
} as const;
export type DynamoHistogram = keyof typeof DYNAMO_LE;

export const dynamoLe = (h: DynamoHistogram): string[] => DYNAMO_LE[h].split(' ');

/**
 * A frontend's exposition with these observations per histogram and `requests` successful
 * unary chat requests, for one model; every series labelled as Dynamo's planner selects them
 * (`model`, `dynamo_namespace`).
 */
export function dynamoFrontendExposition(
  model: string,
  namespace: string,
  observations: Partial<Record<DynamoHistogram, number[]>>,
  requests: number,
): string {
  const base = `dynamo_namespace="${namespace}",model="${model}"`;
  const lines: string[] = [];
  const counter = (name: string, labels: string, value: number) =>
    lines.push(
      `# TYPE dynamo_frontend_${name} counter`,
      `dynamo_frontend_${name}{${labels}} ${value}`,
    );
  const request = `${base},endpoint="chat_completions",request_type="unary"`;
  counter('requests_started_total', request, requests);
  counter('requests_total', `${request},status="success",error_type=""`, requests);
  for (const h of Object.keys(DYNAMO_LE) as DynamoHistogram[]) {
    const values = observations[h] ?? [];
    lines.push(`# TYPE dynamo_frontend_${h} histogram`);
    for (const le of [...dynamoLe(h), '+Inf']) {
      const bound = le === '+Inf' ? Infinity : Number(le);
      const count = values.filter((v) => v <= bound).length;
      lines.push(`dynamo_frontend_${h}_bucket{${base},le="${le}"} ${count}`);
    }
    lines.push(`dynamo_frontend_${h}_sum{${base}} ${values.reduce((a, b) => a + b, 0)}`);
    lines.push(`dynamo_frontend_${h}_count{${base}} ${values.length}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The q-quantile of raw observations, as the rank `q * n` (Prometheus' definition). */
export function exactQuantile(q: number, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** The bucket (lower, upper] of `les` holding `value`. */
export function bucketOf(value: number, les: string[]): [number, number] {
  const bounds = les.map(Number);
  const i = bounds.findIndex((b) => value <= b);
  return i < 0 ? [bounds.at(-1)!, Infinity] : [i === 0 ? -Infinity : bounds[i - 1]!, bounds[i]!];
}
