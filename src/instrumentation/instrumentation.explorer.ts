import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { DYNAMO_METRICS_CONFIG, LOGGER_CONTEXT } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import {
  InstrumentedMethod,
  METHOD_INSTRUMENTATIONS,
  MethodInstrumentation,
  MethodRecorder,
} from './method-instrumentation.interface';
import { bindRecorder, instrumentationOf, instrumentMethod } from './method-wrapper';

type Feature = MethodInstrumentation<unknown, MethodRecorder>;
type Found = Array<[methodName: string, state: InstrumentedMethod<MethodRecorder>]>;

/**
 * Finds the methods that carry a feature's decorator (@DynamoEndpoint, @LlmFrontendEndpoint) on
 * controllers, class providers and factory providers, wraps them, and binds each instance of
 * this application to the feature's recorder. One rule for all: class prototypes are wrapped in
 * the constructor (routes and message handlers read the method before `onModuleInit`, see
 * nest-internals.ts); instances, including those of factory providers whose class was unknown
 * until now, are wrapped if needed and bound in `onModuleInit`.
 */
@Injectable()
export class InstrumentationExplorer implements OnModuleInit {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  /** Handlers bound in this application, per decorator (for the start-up log line). */
  private readonly bound = new Map<string, number>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(METHOD_INSTRUMENTATIONS) private readonly features: Feature[],
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {
    for (const { metatype, inject } of this.wrappers()) {
      // A factory's metatype is the factory function, not the class it returns.
      if (typeof metatype !== 'function' || inject || !metatype.prototype) continue;
      for (const feature of this.features) this.instrument(metatype.prototype as object, feature);
    }
  }

  onModuleInit(): void {
    // Absent in a standalone microservice.
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer?.() as object | undefined;
    for (const wrapper of this.wrappers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const feature of this.features) {
        for (const [methodName, state] of this.instrument(prototype, feature)) {
          const method = (instance as Record<string, object>)[methodName]!;
          const options = feature.optionsOf(method);
          const className = instance.constructor.name;
          const target = { instance, className, methodName, state };
          const { recorder, description } = feature.createRecorder(target, options);
          bindRecorder(state, instance, recorder, httpServer);
          this.bound.set(feature.decorator, this.handlerCount(feature.decorator) + 1);
          if (this.config.logLevel === 'debug') this.logger.debug(description);
        }
      }
    }
  }

  /** How many handlers carrying `decorator` this application bound (after onModuleInit). */
  handlerCount(decorator: string): number {
    return this.bound.get(decorator) ?? 0;
  }

  /** The decorators instrumented, in wrapping order. */
  decorators(): string[] {
    return this.features.map((f) => f.decorator);
  }

  private wrappers(): InstanceWrapper[] {
    return [...this.discovery.getControllers(), ...this.discovery.getProviders()];
  }

  /** Wraps the feature's decorated methods of the class (once per process); lists them. */
  private instrument(prototype: object, feature: Feature): Found {
    const found: Found = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') continue;
      const existing = instrumentationOf<MethodRecorder>(method, feature.marker);
      if (existing) found.push([methodName, existing]);
      else if (feature.optionsOf(method) !== undefined)
        found.push([methodName, instrumentMethod(prototype, methodName, feature.marker)]);
    }
    return found;
  }
}
