import { NAMING_PROFILES, NamingProfileName } from '../core';
import { CONFIG_MESSAGES } from './config.messages';
import { fail } from './option-parsers';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
} from './dynamo-metrics-options.interface';

/** The options of the naming profiles: `naming`, `labels` and `worker` (README, "Naming profiles"). */

/** A profile name in any case (`Component`), like the booleans (`TRUE`). */
export function parseNaming(source: string, value: unknown): NamingProfileName {
  const name = typeof value === 'string' ? value.toLowerCase() : value;
  if ((NAMING_PROFILES as readonly unknown[]).includes(name)) return name as NamingProfileName;
  return fail(CONFIG_MESSAGES.invalidNaming(source, value, NAMING_PROFILES));
}

/** Labels added to every hierarchy metric; the names are checked by the runtime, per profile. */
export function parseLabels(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const ok =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number');
  if (!ok) return fail(CONFIG_MESSAGES.invalidLabels('option labels', value));
  // Label names are checked by the runtime, against the profile's hierarchy labels.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** The two worker metrics Dynamo added after its guide: on by default where the profile says. */
export function resolveWorkerExtras(
  worker: DynamoMetricsModuleOptions['worker'] = {},
  onByDefault: boolean,
): DynamoMetricsConfig['worker'] {
  const flag = (name: 'cancellation' | 'timeToFirstResponse'): boolean => {
    const value = worker[name];
    if (value === undefined) return onByDefault;
    if (typeof value === 'boolean') return value;
    return fail(CONFIG_MESSAGES.invalidBoolean(`option worker.${name}`, value));
  };
  return { cancellation: flag('cancellation'), timeToFirstResponse: flag('timeToFirstResponse') };
}
