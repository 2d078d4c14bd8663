import { Inject, Injectable } from '@nestjs/common';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { endpointFromMethod } from '../instrumentation/handler-naming';
import type {
  InstrumentedTarget,
  MethodInstrumentation,
} from '../instrumentation/method-instrumentation.interface';
import { TraceContextService } from '../instrumentation/trace-context.service';
import { FrontendMetrics } from './frontend-metrics.service';
import { LlmFrontendMetadataAccessor } from './llm-frontend-metadata.accessor';
import type { LlmFrontendEndpointOptions } from './llm-frontend-options.interface';
import { LlmFrontendRecorder } from './llm-frontend.recorder';

/** @LlmFrontendEndpoint() as the explorer sees it. */
/** One per process: every application finds the same wrapper on a shared class. */
const MARKER = Symbol('dynamo:llm-frontend');

@Injectable()
export class LlmFrontendInstrumentation implements MethodInstrumentation<
  LlmFrontendEndpointOptions,
  LlmFrontendRecorder
> {
  readonly marker = MARKER;
  readonly decorator = '@LlmFrontendEndpoint';

  constructor(
    private readonly metadata: LlmFrontendMetadataAccessor,
    private readonly frontend: FrontendMetrics,
    private readonly traces: TraceContextService,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {}

  optionsOf(method: object): LlmFrontendEndpointOptions | undefined {
    return this.metadata.getOptions(method);
  }

  createRecorder(
    { className, methodName, state }: InstrumentedTarget<LlmFrontendRecorder>,
    options: LlmFrontendEndpointOptions,
  ): { recorder: LlmFrontendRecorder; description: string } {
    const endpoint = options.endpoint ?? endpointFromMethod(methodName);
    this.frontend.defineFamilies();
    return {
      recorder: new LlmFrontendRecorder(
        this.frontend,
        endpoint,
        options,
        state.carrier,
        this.traces.enabled ? this.traces : undefined,
        this.config.frontendTimeouts,
      ),
      description: `@LlmFrontendEndpoint ${className}.${methodName} -> endpoint="${endpoint}"`,
    };
  }
}
