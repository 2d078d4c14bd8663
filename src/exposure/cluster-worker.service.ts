import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClusterWorkerRegistration, DistributedRuntime, enableClusterWorker } from '../core';
import { LOG_MESSAGES } from '../config/config.messages';
import { LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import { DYNAMO_METRICS_MODULE_OPTIONS } from '../config/dynamo-metrics.module-definition';
import type { DynamoMetricsModuleOptions } from '../config/dynamo-metrics-options.interface';

/**
 * With the module option `cluster: { worker: true }`, registers the runtime with the cluster
 * primary's collector while the app initialises (before it serves anything) and withdraws it
 * when the app shuts down.
 */
@Injectable()
export class ClusterWorkerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private registration?: ClusterWorkerRegistration;

  constructor(
    @Inject(DYNAMO_METRICS_MODULE_OPTIONS) private readonly options: DynamoMetricsModuleOptions,
    private readonly runtime: DistributedRuntime,
  ) {}

  /** Whether this app reports to a cluster primary. */
  get active(): boolean {
    return this.registration?.active ?? false;
  }

  onModuleInit(): void {
    if (!this.options.cluster?.worker) return;
    this.registration = enableClusterWorker(this.runtime);
    if (this.registration.active) {
      this.logger.log(LOG_MESSAGES.clusterWorker(process.pid));
    }
  }

  onApplicationShutdown(): void {
    this.registration?.disable();
    this.registration = undefined;
  }
}
