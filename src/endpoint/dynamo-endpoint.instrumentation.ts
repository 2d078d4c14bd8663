import { Inject, Injectable } from '@nestjs/common';
import { DistributedRuntime, DynamoMetricsError, Endpoint, WorkerMetrics } from '../core';
import { CONFIG_MESSAGES } from '../config/config.messages';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { ENDPOINT_READINESS, EndpointReadiness } from '../config/endpoint-readiness.interface';
import { componentFromClass, endpointFromMethod } from '../instrumentation/handler-naming';
import type {
  HandlerCarrier,
  HandlerKind,
  InstrumentedTarget,
  MethodInstrumentation,
} from '../instrumentation/method-instrumentation.interface';
import { DynamoEndpointMetadataAccessor } from './dynamo-endpoint-metadata.accessor';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';
import { CallLabels, CallMetrics, fixedMetrics } from './call-labels';
import { EndpointRecorder } from './endpoint.recorder';
import { HttpEndpointRecorder } from './http-endpoint.recorder';
import { RpcEndpointRecorder } from './rpc-endpoint.recorder';
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
  private readonly workers = new Map<string, WorkerMetrics>();

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
      recorder: recorderFor(state.kind, state.carrier, metrics, options, this.traces),
      description:
        `@DynamoEndpoint ${className}.${methodName} (${state.kind}) -> ` +
        `namespace="${ns}" component="${comp}" endpoint="${ep}"`,
    };
  }

  /** Resolved once per endpoint; conflicting label names fail at start-up. */
  private metricsOf(endpoint: Endpoint, options: DynamoEndpointOptions): CallMetrics {
    const labels = options.labels ?? {};
    const labelNames = Object.keys(labels);
    for (const name of labelNames) {
      if (typeof labels[name] !== 'function') {
        throw new DynamoMetricsError(
          CONFIG_MESSAGES.invalidLabelFunction(endpoint.levelName, name, labels[name]),
        );
      }
    }
    const extras = this.config.worker;
    if (labelNames.length > 0) {
      try {
        const max = this.config.series.maxCallLabelSets;
        return new CallLabels(endpoint, labels, extras, this.models, this.runtime, max);
      } catch (err) {
        // The worker families are shared by every endpoint of the runtime: one set of label names.
        throw new DynamoMetricsError(
          `${CONFIG_MESSAGES.workerLabelsDiffer(endpoint.levelName, labelNames)} ${(err as Error).message}`,
        );
      }
    }
    let worker = this.workers.get(endpoint.levelName);
    if (!worker) {
      worker = new WorkerMetrics(endpoint, extras);
      this.workers.set(endpoint.levelName, worker);
    }
    return fixedMetrics(worker);
  }
}

/** The recorder class for a handler's kind, chosen once, when the handler is bound. */
export function recorderFor(
  kind: HandlerKind,
  carrier: HandlerCarrier,
  metrics: CallMetrics,
  options: DynamoEndpointOptions,
  traces: TraceContextService,
): EndpointRecorder {
  const exemplars = traces.enabled ? traces : undefined;
  // No carrier: plain methods, and RPC handlers whose context cannot be had (gRPC).
  const Recorder =
    carrier.index < 0
      ? EndpointRecorder
      : kind === 'http'
        ? HttpEndpointRecorder
        : kind === 'rpc'
          ? RpcEndpointRecorder
          : EndpointRecorder;
  return new Recorder(metrics, options, carrier, exemplars);
}
