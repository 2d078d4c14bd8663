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
  return name === 'promtool' ? 'prometheus' : name;
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
