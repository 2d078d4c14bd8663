import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/**
 * Processes for the compat test: packing the repository from a clean tree, installing fixture
 * apps from the npm registry, compiling consumer code with several TypeScript versions.
 */

export const ROOT = resolve(__dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'compat');
export const INSTALL_TIMEOUT_MS = 180_000;
export const RUN_TIMEOUT_MS = 60_000;

export interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment for npm and the apps: no DYN_* and none of `npm test`'s own package vars. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('DYN_')) continue;
    if (name === 'npm_config_local_prefix' || name.startsWith('npm_package_')) continue;
    if (name.startsWith('npm_lifecycle_')) continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion (never throws for a non-zero exit; the caller judges). */
export function run(
  file: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: unknown; signal?: string }) | null;
        if (err && typeof err.code === 'string') {
          // Spawning failed (ENOENT and the like): there is no exit code to judge.
          reject(
            err.code === 'ENOENT'
              ? new Error(`"${file}" is not on PATH (${err.message}); this test needs npm.`)
              : err,
          );
          return;
        }
        resolvePromise({
          code: err ? ((err.code as number | undefined) ?? null) : 0,
          signal: err?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          ms: Date.now() - started,
        });
      },
    );
  });
}

export const tail = (text: string, lines = 40) =>
  text.trimEnd().split('\n').slice(-lines).join('\n');

/** Fails with the command, exit, timing and output when it did not exit 0. */
export function assertRan(result: Run, what: string, where: string, hint = ''): void {
  if (result.code === 0) return;
  const killed = result.signal === 'SIGKILL' ? ' (killed: timeout)' : '';
  throw new Error(
    `${what} in ${where} exited ${result.code ?? result.signal}${killed} after ${result.ms} ms.` +
      `${hint}\n--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout)}`,
  );
}

export async function npm(args: string[], cwd: string, what: string): Promise<Run> {
  const result = await run('npm', args, cwd, INSTALL_TIMEOUT_MS);
  assertRan(result, `${what} (npm ${args.join(' ')})`, cwd, ' It needs the npm registry.');
  return result;
}

/** Every file below `dir`, relative, with `/` separators. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

export interface Packed {
  tarball: string;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  files: string[];
  /** The clean tree the tarball was built from (its dist/ is what was packed). */
  tree: string;
  ms: number;
}

/** What a fresh clone does not have: build output, installs, logs, git's own files. */
const NOT_IN_A_CLONE = new Set(['dist', 'node_modules', '.git', '.tmp']);

/**
 * `npm pack` from a clean tree: a copy of the working tree without what a fresh clone lacks
 * (no dist/, no node_modules/), with the repository's node_modules linked in for the compiler.
 * `prepack` must build the package; nothing is built here.
 */
export async function packCleanTree(workDir: string): Promise<Packed> {
  const tree = join(workDir, 'tree');
  await cp(ROOT, tree, {
    recursive: true,
    filter: (source) => {
      const name = basename(source);
      return !NOT_IN_A_CLONE.has(name) && !name.endsWith('.log') && !name.endsWith('.tgz');
    },
  });
  assert.ok(existsSync(join(tree, 'src', 'index.ts')), `copied no sources to ${tree}`);
  assert.ok(!existsSync(join(tree, 'dist')), 'the copy has no dist/');
  await symlink(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const packDir = join(workDir, 'pack');
  await mkdir(packDir);
  const packed = await npm(['pack', '--json', '--pack-destination', packDir], tree, 'npm pack');
  // Lifecycle scripts print to stdout before the JSON.
  const json = packed.stdout.slice(packed.stdout.indexOf('['));
  const [info] = JSON.parse(json) as Array<{ filename: string; files: { path: string }[] }>;
  assert.ok(info, `npm pack --json printed nothing usable: ${packed.stdout}`);
  return {
    tarball: join(packDir, info.filename),
    files: info.files.map((f) => f.path).sort(),
    tree,
    ms: packed.ms,
  };
}

/** A fixture app: its package.json and lock file copied to `dir`, `npm ci`, then the .tgz. */
export async function installFixture(
  fixture: string,
  dir: string,
  tarball: string | undefined,
  extraInstallArgs: string[] = [],
): Promise<{ ci: Run; add?: Run }> {
  await mkdir(dir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(join(FIXTURES, fixture, file), join(dir, file));
  }
  const ci = await npm(
    ['ci', '--prefer-offline', '--no-audit', '--no-fund'],
    dir,
    `npm ci (${fixture})`,
  );
  if (!tarball) return { ci };
  const add = await npm(
    [
      'install',
      '--no-save',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...extraInstallArgs,
      tarball,
    ],
    dir,
    `npm install of the .tgz (${fixture})`,
  );
  return { ci, add };
}

export type ModuleSetting = 'commonjs' | 'nodenext';

export interface Compiler {
  /** e.g. "5.0", "5", "7": how cases are named. */
  label: string;
  /** The tsc script to run with node. */
  tsc: string;
}

/**
 * Compiles `source` in `appDir` the way a user's project would: strict, decorators with
 * metadata, `skipLibCheck` off unless told, `module` as given and the compiler's default module
 * resolution for it. Writes to `outDir` (relative to appDir).
 */
export async function compile(
  compiler: Compiler,
  appDir: string,
  source: string,
  module: ModuleSetting,
  outDir: string,
  skipLibCheck = false,
): Promise<Run> {
  const config = join(appDir, `tsconfig.${outDir.replace(/\W+/g, '-')}.json`);
  const compilerOptions = {
    target: 'ES2022',
    module,
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck,
    types: ['node'],
    outDir,
  };
  await writeFile(config, JSON.stringify({ compilerOptions, files: [source] }, null, 2));
  return run(process.execPath, [compiler.tsc, '-p', config], appDir, RUN_TIMEOUT_MS);
}

/** Every .d.ts under dist/ of the packed tree, with its text. */
export async function declarations(tree: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listFiles(join(tree, 'dist'))) {
    if (rel.endsWith('.d.ts'))
      out.set(`dist/${rel}`, await readFile(join(tree, 'dist', rel), 'utf8'));
  }
  return out;
}
