import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { DistributedRuntime, WorkerMetrics } from '../core';
import { DynamoEndpointOptions } from './dynamo-endpoint.decorator';
import { DYNAMO_ENDPOINT_METADATA, DYNAMO_METRICS_CONFIG } from './dynamo-metrics.constants';
import { DynamoMetricsConfig } from './dynamo-metrics-options.interface';
import { EndpointRecorder } from './endpoint-recorder';
import {
  bindRecorder,
  InstrumentedMethod,
  instrumentationOf,
  instrumentMethod,
} from './method-instrumentation';
import { componentFromClass, endpointFromMethod } from './endpoint-naming';
import { HealthService } from '../exposure/health.service';

const INSTRUMENTED = Symbol('dynamo:endpoint');

type Instrumented = InstrumentedMethod<EndpointRecorder>;

/**
 * Finds @DynamoEndpoint() methods and instruments them. The wrapper goes on the class prototype
 * while Nest instantiates providers, before routes and message handlers are registered (both
 * read the method then); it keeps every metadata of the original so guards, pipes, route and
 * pattern metadata survive, in any decorator order. Each application then binds its own
 * instances to recorders whose series are resolved once, not per call.
 */
@Injectable()
export class DynamoEndpointExplorer implements OnModuleInit {
  private readonly logger = new Logger('DynamoMetrics');
  private readonly workers = new Map<string, WorkerMetrics>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly health: HealthService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    for (const wrapper of this.wrappers()) {
      const { metatype, inject } = wrapper;
      // Class providers and controllers only; factories have no class to look at yet.
      if (typeof metatype === 'function' && !inject && metatype.prototype) {
        this.instrumentClass(metatype.prototype as object);
      }
    }
  }

  onModuleInit(): void {
    for (const wrapper of this.wrappers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const [methodName, method] of this.instrumentClass(
        Object.getPrototypeOf(instance) as object,
      )) {
        this.bind(instance, methodName, method);
      }
    }
  }

  /** This app's HTTP server (absent in a standalone microservice). */
  private httpServer(): object | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer?.() as object | undefined;
  }

  private wrappers(): InstanceWrapper[] {
    return [...this.discovery.getControllers(), ...this.discovery.getProviders()];
  }

  /** Installs the wrapper on each decorated method of the class (once per process). */
  private instrumentClass(prototype: object): Array<[string, Instrumented]> {
    const found: Array<[string, Instrumented]> = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') continue;
      const existing = instrumentationOf<EndpointRecorder>(method, INSTRUMENTED);
      if (existing) {
        found.push([methodName, existing]);
      } else if (Reflect.getMetadata(DYNAMO_ENDPOINT_METADATA, method)) {
        found.push([
          methodName,
          instrumentMethod<EndpointRecorder>(prototype, methodName, INSTRUMENTED),
        ]);
      }
    }
    return found;
  }

  private bind(instance: object, methodName: string, method: Instrumented): void {
    const options = Reflect.getMetadata(
      DYNAMO_ENDPOINT_METADATA,
      (instance as Record<string, unknown>)[methodName] as object,
    ) as DynamoEndpointOptions;
    const className = instance.constructor.name;
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
    const recorder = new EndpointRecorder(worker, method.kind, options, method.carrier);
    bindRecorder(method, instance, recorder, this.httpServer());
    this.health.register(endpoint.path[2]!);
    this.logger.debug(
      `@DynamoEndpoint ${className}.${methodName} (${method.kind}) -> ` +
        `namespace="${endpoint.path[0]}" component="${endpoint.path[1]}" endpoint="${endpoint.path[2]}"`,
    );
  }
}
