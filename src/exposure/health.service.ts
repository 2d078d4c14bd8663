import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DistributedRuntime } from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig, HealthStatus } from '../config/dynamo-metrics-options.interface';
import type { EndpointReadiness } from '../config/endpoint-readiness.interface';

export interface HealthReport {
  status: HealthStatus;
  /** Seconds since the runtime started. */
  uptime: number;
  /** Every decorated endpoint (and every endpoint `/health` waits for) with its status. */
  endpoints: Record<string, HealthStatus>;
}

/**
 * Health as Dynamo's system server reports it. The system status starts at
 * DYN_SYSTEM_STARTING_HEALTH_STATUS; endpoints are registered by the explorer and become ready
 * when the application has bootstrapped, and not ready when it begins to shut down. When
 * DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS lists endpoints, the app is ready exactly when all of
 * them are; otherwise when the system status is ready.
 */
@Injectable()
export class HealthService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, EndpointReadiness
{
  private systemStatus: HealthStatus;
  private readonly endpoints = new Map<string, HealthStatus>();

  constructor(
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly runtime: DistributedRuntime,
  ) {
    this.systemStatus = config.system.startingHealthStatus;
  }

  /** Called for each decorated handler found; not ready until the app has bootstrapped. */
  register(endpoint: string): void {
    if (!this.endpoints.has(endpoint)) this.endpoints.set(endpoint, 'notready');
  }

  /** Endpoints registered so far (decorated handlers, and any given a status). */
  endpointNames(): string[] {
    return [...this.endpoints.keys()];
  }

  /** The process's own readiness (`'ready'` or `'notready'`), as `/health` reports it. */
  setSystemStatus(status: HealthStatus): void {
    this.systemStatus = status;
  }

  /** One endpoint's readiness; `/health` follows the endpoints `useEndpointHealthStatus` lists. */
  setEndpointStatus(endpoint: string, status: HealthStatus): void {
    this.endpoints.set(endpoint, status);
  }

  onApplicationBootstrap(): void {
    this.systemStatus = 'ready';
    for (const name of this.endpoints.keys()) this.endpoints.set(name, 'ready');
  }

  beforeApplicationShutdown(): void {
    this.systemStatus = 'notready';
    for (const name of this.endpoints.keys()) this.endpoints.set(name, 'notready');
  }

  /** What `/health` answers now: the overall status, the system's and each endpoint's. */
  report(): HealthReport {
    const required = this.config.system.useEndpointHealthStatus;
    const endpoints: Record<string, HealthStatus> = {};
    for (const [name, status] of this.endpoints) endpoints[name] = status;
    for (const name of required) endpoints[name] ??= 'notready';
    const ready = required.length
      ? required.every((name) => endpoints[name] === 'ready')
      : this.systemStatus === 'ready';
    return {
      status: ready ? 'ready' : 'notready',
      uptime: this.runtime.uptimeSeconds(),
      endpoints,
    };
  }
}
