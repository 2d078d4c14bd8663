import { Inject, Injectable } from '@nestjs/common';
import {
  DistributedRuntime,
  DynamoMetricsError,
  Endpoint,
  WorkerMetrics,
  WorkerMetricsVec,
} from '../core';
import { CONFIG_MESSAGES } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { ENDPOINT_READINESS, EndpointReadiness } from '../config/endpoint-readiness.interface';
import { componentFromClass, endpointFromMethod } from '../instrumentation/handler-naming';
import type {
  InstrumentedTarget,
  MethodInstrumentation,
} from '../instrumentation/method-instrumentation.interface';
import { DynamoEndpointMetadataAccessor } from './dynamo-endpoint-metadata.accessor';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';
import { CallLabels } from './call-labels';
import { EndpointRecorder } from './endpoint.recorder';
import { ModelAdmission } from '../instrumentation/model-admission';
import { TraceContextService } from '../instrumentation/trace-context.service';

/**
 * @DynamoEndpoint() as the explorer sees it: each decorated method records the worker metrics
 * of its endpoint, resolved once per endpoint (two classes naming one endpoint share them).
 */
/** One per process: every application finds the same wrapper on a shared class. */
const MARKER = Symbol('dynamo:endpoint');

@Injectable()
export class DynamoEndpointInstrumentation implements MethodInstrumentation<
  DynamoEndpointOptions,
  EndpointRecorder
> {
  readonly marker = MARKER;
  readonly decorator = '@DynamoEndpoint';
  private readonly workers = new Map<string, WorkerMetrics | WorkerMetricsVec>();

  constructor(
    private readonly metadata: DynamoEndpointMetadataAccessor,
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    @Inject(ENDPOINT_READINESS) private readonly readiness: EndpointReadiness,
    private readonly traces: TraceContextService,
    private readonly models: ModelAdmission,
  ) {}

  optionsOf(method: object): DynamoEndpointOptions | undefined {
    return this.metadata.getOptions(method);
  }

  createRecorder(
    { className, methodName, state }: InstrumentedTarget<EndpointRecorder>,
    options: DynamoEndpointOptions,
  ): { recorder: EndpointRecorder; description: string } {
    const namespace = options.namespace ?? this.config.namespace;
    const component =
      options.component ?? this.config.defaultComponent ?? componentFromClass(className);
    const endpointName = options.endpoint ?? endpointFromMethod(methodName);
    const endpoint = this.runtime.namespace(namespace).component(component).endpoint(endpointName);
    const metrics = this.metricsOf(endpoint, options);
    this.readiness.register(endpoint.path[2]!);
    const [ns, comp, ep] = endpoint.path;
    return {
      recorder: new EndpointRecorder(
        metrics,
        state.kind,
        options,
        state.carrier,
        this.traces.enabled ? this.traces : undefined,
      ),
      description:
        `@DynamoEndpoint ${className}.${methodName} (${state.kind}) -> ` +
        `namespace="${ns}" component="${comp}" endpoint="${ep}"`,
    };
  }

  /** Resolved once per endpoint and label names; conflicting label names fail at start-up. */
  private metricsOf(
    endpoint: Endpoint,
    options: DynamoEndpointOptions,
  ): WorkerMetrics | CallLabels {
    const labels = options.labels ?? {};
    const labelNames = Object.keys(labels);
    for (const name of labelNames) {
      if (typeof labels[name] !== 'function') {
        throw new DynamoMetricsError(
          CONFIG_MESSAGES.invalidLabelFunction(endpoint.levelName, name, labels[name]),
        );
      }
    }
    const key = `${endpoint.levelName}\0${labelNames.join(',')}`;
    let worker = this.workers.get(key);
    if (!worker) {
      const extras = this.config.worker;
      try {
        worker =
          labelNames.length === 0
            ? new WorkerMetrics(endpoint, extras)
            : new WorkerMetricsVec(endpoint, { ...extras, labelNames });
      } catch (err) {
        // The worker families are shared by every endpoint of the runtime: one set of label names.
        throw new DynamoMetricsError(
          `${CONFIG_MESSAGES.workerLabelsDiffer(endpoint.levelName, labelNames)} ${(err as Error).message}`,
        );
      }
      this.workers.set(key, worker);
    }
    return worker instanceof WorkerMetricsVec
      ? new CallLabels(
          worker,
          labels,
          this.models,
          this.runtime,
          this.config.series.maxCallLabelSets,
        )
      : worker;
  }
}
