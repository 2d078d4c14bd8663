import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

export const NAMING_PROFILES = ['classic', 'component'] as const;
export type NamingProfileName = (typeof NAMING_PROFILES)[number];

/**
 * The names one dialect of Dynamo gives the hierarchy: the switch changes names and label keys,
 * never what is measured.
 */
export interface NamingProfile {
  readonly name: NamingProfileName;
  /** The labels the hierarchy adds by itself, in level order (namespace, component, endpoint). */
  readonly hierarchyLabels: readonly [string, string, string];
  /** The name prefix of hierarchy metrics; undefined: the runtime's `prefix` option. */
  readonly fixedPrefix?: string;
  /** The worker gauge of calls in progress (before the prefix). */
  readonly concurrentRequests: string;
  /** The runtime uptime gauge (before the prefix). */
  readonly uptime: string;
  /** `DYN_SYSTEM_PORT` alone starts the system server (the guide also wants DYN_SYSTEM_ENABLED). */
  readonly systemPortAloneEnables: boolean;
  /** `/live` answers as `/health` does (503 while not ready); else 200 while the process serves. */
  readonly liveFollowsReadiness: boolean;
}

/** The Dynamo guide this package implements: `dynamo_requests_total{namespace,component,endpoint}`. */
export const CLASSIC_NAMING: NamingProfile = Object.freeze({
  name: 'classic',
  hierarchyLabels: Object.freeze(['namespace', 'component', 'endpoint']) as [
    string,
    string,
    string,
  ],
  concurrentRequests: 'concurrent_requests',
  uptime: 'system_uptime_seconds',
  systemPortAloneEnables: false,
  liveFollowsReadiness: false,
});

/**
 * Today's Dynamo: `dynamo_component_requests_total{dynamo_namespace,dynamo_component,
 * dynamo_endpoint}`; the `dynamo_` label keys keep clear of Kubernetes' own `namespace` and
 * `endpoint` target labels.
 */
export const COMPONENT_NAMING: NamingProfile = Object.freeze({
  name: 'component',
  hierarchyLabels: Object.freeze(['dynamo_namespace', 'dynamo_component', 'dynamo_endpoint']) as [
    string,
    string,
    string,
  ],
  fixedPrefix: 'dynamo_component',
  concurrentRequests: 'inflight_requests',
  uptime: 'uptime_seconds',
  systemPortAloneEnables: true,
  liveFollowsReadiness: true,
});

/** The profile called `name` (default classic); anything else is a clear error. */
export function namingProfile(name: unknown = 'classic'): NamingProfile {
  if (name === 'classic') return CLASSIC_NAMING;
  if (name === 'component') return COMPONENT_NAMING;
  throw new DynamoMetricsError(MESSAGES.invalidNaming(name, NAMING_PROFILES));
}
