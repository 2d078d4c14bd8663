import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import type { FrontendNaming } from './frontend-naming';
import { CLASSIC_FRONTEND, COMPONENT_FRONTEND } from './frontend-profiles';

export const NAMING_PROFILES = ['classic', 'component'] as const;
export type NamingProfileName = (typeof NAMING_PROFILES)[number];

/**
 * One dialect of Dynamo: every name, label, bucket set, metric set and error-type mapping that
 * differs between `classic` and `component`. Code asks it; nothing compares profile names.
 */
export interface NamingProfile {
  readonly name: NamingProfileName;
  /** The labels the hierarchy adds by itself, in level order (namespace, component, endpoint). */
  readonly hierarchyLabels: readonly [string, string, string];
  /** The name prefix of hierarchy metrics, given the runtime's (validated) `prefix` option. */
  hierarchyPrefix(prefixOption: () => string): string;
  /** Whether `cancellation_total` and `time_to_first_response_seconds` are on by default. */
  readonly workerExtras: boolean;
  /** The worker gauge of calls in progress (before the prefix). */
  readonly concurrentRequests: string;
  /** The runtime uptime gauge (before the prefix). */
  readonly uptime: string;
  /** The LLM frontend's families, buckets and error types. */
  readonly frontend: FrontendNaming;
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
  hierarchyPrefix: (prefixOption: () => string) => prefixOption(),
  workerExtras: false,
  concurrentRequests: 'concurrent_requests',
  uptime: 'system_uptime_seconds',
  frontend: CLASSIC_FRONTEND,
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
  // Always `dynamo_component`: the `prefix` option has no effect.
  hierarchyPrefix: () => 'dynamo_component',
  workerExtras: true,
  concurrentRequests: 'inflight_requests',
  uptime: 'uptime_seconds',
  frontend: COMPONENT_FRONTEND,
  systemPortAloneEnables: true,
  liveFollowsReadiness: true,
});

/** The profile called `name` (default classic); anything else is a clear error. */
export function namingProfile(name: unknown = 'classic'): NamingProfile {
  if (name === 'classic') return CLASSIC_NAMING;
  if (name === 'component') return COMPONENT_NAMING;
  throw new DynamoMetricsError(MESSAGES.invalidNaming(name, NAMING_PROFILES));
}
