import { ENV } from '../../src/internal';

/** The DYN_* variables the package reads, from its own `ENV` table. */
export const DYN_VARS: readonly string[] = Object.values(ENV);

export type EnvVars = Partial<Record<(typeof ENV)[keyof typeof ENV], string | undefined>>;

/**
 * Runs `fn` with exactly the given DYN_* variables set (the others removed), then restores the
 * environment as it was. `forRoot()` and the module's config provider both read process.env, so
 * the variables stay set for the whole life of the app, close included.
 */
export async function withEnv<T>(vars: EnvVars, fn: () => Promise<T> | T): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const name of DYN_VARS) {
    saved.set(name, process.env[name]);
    const value = vars[name as keyof EnvVars];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
