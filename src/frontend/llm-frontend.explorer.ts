import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import { endpointFromMethod } from '../nest/endpoint-naming';
import { bindRecorder, instrumentationOf, instrumentMethod } from '../nest/method-instrumentation';
import { LLM_FRONTEND_METADATA } from './frontend-metrics.constants';
import { FrontendMetrics } from './frontend-metrics.service';
import { LlmFrontendEndpointOptions } from './llm-frontend.decorator';
import { LlmFrontendRecorder } from './llm-frontend.recorder';

const INSTRUMENTED = Symbol('dynamo:llm-frontend');

/** Finds @LlmFrontendEndpoint() handlers and instruments them (see DynamoEndpointExplorer). */
@Injectable()
export class LlmFrontendExplorer implements OnModuleInit {
  private readonly logger = new Logger('DynamoMetrics');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly frontend: FrontendMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    // Before routes are registered: they read the method then.
    for (const wrapper of this.discovery.getControllers()) {
      const { metatype } = wrapper;
      if (typeof metatype === 'function' && metatype.prototype)
        this.instrument(metatype.prototype as object);
    }
  }

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const methodName of this.instrument(Object.getPrototypeOf(instance) as object)) {
        const method = (instance as Record<string, object>)[methodName]!;
        const state = instrumentationOf<LlmFrontendRecorder>(method, INSTRUMENTED)!;
        const options = Reflect.getMetadata(
          LLM_FRONTEND_METADATA,
          method,
        ) as LlmFrontendEndpointOptions;
        const endpoint = options.endpoint ?? endpointFromMethod(methodName);
        const recorder = new LlmFrontendRecorder(this.frontend, endpoint, options, state.carrier);
        bindRecorder(
          state,
          instance,
          recorder,
          this.adapterHost.httpAdapter?.getHttpServer?.() as object | undefined,
        );
        this.logger.debug(
          `@LlmFrontendEndpoint ${instance.constructor.name}.${methodName} -> endpoint="${endpoint}"`,
        );
      }
    }
  }

  /** Instruments the class's decorated methods (once per process); returns their names. */
  private instrument(prototype: object): string[] {
    const names: string[] = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      if (typeof method !== 'function' || !Reflect.getMetadata(LLM_FRONTEND_METADATA, method))
        continue;
      if (!instrumentationOf(method, INSTRUMENTED))
        instrumentMethod(prototype, methodName, INSTRUMENTED);
      names.push(methodName);
    }
    return names;
  }
}
