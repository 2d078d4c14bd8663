import { Inject, Injectable } from '@nestjs/common';
import { DistributedRuntime, WorkerMetrics } from '../core';
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
import { EndpointRecorder } from './endpoint.recorder';
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
  private readonly workers = new Map<string, WorkerMetrics>();

  constructor(
    private readonly metadata: DynamoEndpointMetadataAccessor,
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    @Inject(ENDPOINT_READINESS) private readonly readiness: EndpointReadiness,
    private readonly traces: TraceContextService,
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
    let worker = this.workers.get(endpoint.levelName);
    if (!worker) {
      worker = new WorkerMetrics(endpoint);
      this.workers.set(endpoint.levelName, worker);
    }
    this.readiness.register(endpoint.path[2]!);
    const [ns, comp, ep] = endpoint.path;
    return {
      recorder: new EndpointRecorder(
        worker,
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
}
