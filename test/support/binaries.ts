import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/**
 * Finds a real binary a test needs (promtool, prometheus, nats-server). When it is missing the
 * test is skipped with a message saying so, except under CI=true, where it fails: CI must never
 * pass by skipping.
 */
export function requireBinary(t: TestContext, name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path) return path;
  const message = `${name} is not installed (Debian: apt-get install -y ${debianPackage(name)}); .ci/run installs it`;
  if (process.env.CI === 'true')
    throw new Error(`${message}. CI=true, so this is a failure, not a skip.`);
  t.skip(message);
  return undefined;
}

function debianPackage(name: string): string {
  return (
    ({ promtool: 'prometheus', prlimit: 'util-linux' } as Record<string, string>)[name] ?? name
  );
}

/** Runs `promtool check metrics` on exposition text; returns its exit code and findings. */
export function promtoolCheckMetrics(
  promtool: string,
  text: string,
): { status: number; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Debian's python3-prometheus-client (for /usr/bin/python3), the independent parser of both
 * exposition formats; missing, the test skips with a message, or fails under CI=true.
 */
export function requirePythonPrometheusClient(t: TestContext): string | undefined {
  const python = '/usr/bin/python3';
  const found = spawnSync(python, ['-c', 'import prometheus_client'], { encoding: 'utf8' });
  if (found.status === 0) return python;
  const message =
    'python3-prometheus-client is not installed (Debian: apt-get install -y python3-prometheus-client); .ci/run installs it';
  if (process.env.CI === 'true')
    throw new Error(`${message}. CI=true, so this is a failure, not a skip.`);
  t.skip(message);
  return undefined;
}

/** Python's parsers, independent of ours; prints the number of samples read. */
const PY_PARSE = `
import sys
from prometheus_client.parser import text_string_to_metric_families as text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
parse = om if sys.argv[1] == 'om' else text
print(sum(len(f.samples) for f in parse(sys.stdin.read())))
`;

/**
 * The samples python3-prometheus-client reads in an exposition, with its Prometheus text
 * parser or its OpenMetrics one; a parse error fails the assertion.
 */
export function pythonSampleCount(python: string, text: string, format: 'text' | 'om'): number {
  const run = spawnSync(python, ['-c', PY_PARSE, format], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `python ${format} parser: ${run.stderr}`);
  return Number(run.stdout.trim());
}
