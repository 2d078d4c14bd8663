import { ChildProcess, spawn } from 'node:child_process';
import { DYN_VARS } from './env';

/** Spawned processes of the tests: their environment, output, exit and clean-up. */

/** Variables the library, the sample app and its load script read: a child gets only what a test gives it. */
const CONTROLLED_VARS = [
  ...DYN_VARS,
  'PORT',
  'HOST',
  'SAMPLE_PLATFORM',
  'SAMPLE_TOKEN_DELAY_MS',
  'SAMPLE_LOG_LEVEL',
  'SAMPLE_URL',
  'LOAD_REQUESTS',
  'LOAD_SECONDS',
  'LOAD_CONCURRENCY',
  // The parent runs under node --test; a child must not report to it.
  'NODE_TEST_CONTEXT',
];

/** The environment of a child: the parent's minus the controlled variables, plus `vars`. */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTROLLED_VARS) delete env[name];
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

/** Children still running: killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kills `child` (SIGKILL) if this process exits first; forgets it once it has exited. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** A child's combined output and exit, and a stop that escalates to SIGKILL after 5 s. */
export interface WatchedChild {
  output(): string;
  /** How the child exited (`exited with code 1 signal null`), or undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Collects a spawned child's stdout and stderr and its exit; kills it if this process exits. */
export function watchChild(child: ChildProcess): WatchedChild {
  killOnExit(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with code ${code} signal ${signal}`;
      resolve();
    }),
  );
  return {
    output: () => output,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs `node -e <script>` with the given variables (the controlled ones of this process
 * removed), killing it after `timeoutMs`.
 */
export function runNode(
  script: string,
  vars: Record<string, string | undefined>,
  timeoutMs = 60000,
  onStdout?: (chunk: string) => void,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ChildResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: childEnv(vars),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      onStdout?.(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}
