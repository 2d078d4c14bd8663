import { Inject, Injectable, Logger, OnModuleInit, Req, Res } from '@nestjs/common';
import {
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { DistributedRuntime, WorkerMetrics } from '../core';
import { DynamoEndpointOptions } from './dynamo-endpoint.decorator';
import { DYNAMO_ENDPOINT_METADATA, DYNAMO_METRICS_CONFIG } from './dynamo-metrics.constants';
import { DynamoMetricsConfig } from './dynamo-metrics-options.interface';
import { EndpointRecorder, HandlerKind, HttpCarrier } from './endpoint-recorder';
import { componentFromClass, endpointFromMethod } from './endpoint-naming';
import { HealthService } from '../exposure/health.service';

/** Set by @nestjs/microservices' @MessagePattern / @EventPattern on the handler. */
const PATTERN_HANDLER_METADATA = 'microservices:handler_type';
/** @nestjs/common's RouteParamtypes (stable values; the enum is not exported by Nest 12's index). */
const RESPONSE_PARAM = 1;
const NEXT_PARAM = 2;

const INSTRUMENTED = Symbol('dynamo:instrumented');

type Method = ((...args: unknown[]) => unknown) & { [INSTRUMENTED]?: InstrumentedMethod };

/** Per class and method, shared by every application in the process. */
interface InstrumentedMethod {
  readonly kind: HandlerKind;
  readonly carrier: HttpCarrier;
  readonly options: DynamoEndpointOptions;
  /** Per-instance recorders: each application binds its own instances. */
  readonly recorders: WeakMap<object, EndpointRecorder>;
  /** For instances Nest creates per request or per injection, which no app binds ahead. */
  fallback?: EndpointRecorder;
}

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

  private wrappers(): InstanceWrapper[] {
    return [...this.discovery.getControllers(), ...this.discovery.getProviders()];
  }

  /** Installs the wrapper on each decorated method of the class (once per process). */
  private instrumentClass(prototype: object): Array<[string, InstrumentedMethod]> {
    const found: Array<[string, InstrumentedMethod]> = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName] as Method;
      if (typeof method !== 'function') continue;
      const existing = method[INSTRUMENTED];
      if (existing) {
        found.push([methodName, existing]);
        continue;
      }
      const options = Reflect.getMetadata(DYNAMO_ENDPOINT_METADATA, method) as
        DynamoEndpointOptions | undefined;
      if (!options) continue;
      found.push([methodName, install(prototype, methodName, method, options)]);
    }
    return found;
  }

  private bind(instance: object, methodName: string, method: InstrumentedMethod): void {
    const { options } = method;
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
    method.recorders.set(instance, recorder);
    method.fallback = recorder;
    this.health.register(endpoint.path[2]!);
    this.logger.debug(
      `@DynamoEndpoint ${className}.${methodName} (${method.kind}) -> ` +
        `namespace="${endpoint.path[0]}" component="${endpoint.path[1]}" endpoint="${endpoint.path[2]}"`,
    );
  }
}

function install(
  prototype: object,
  methodName: string,
  original: Method,
  options: DynamoEndpointOptions,
): InstrumentedMethod {
  const kind: HandlerKind =
    Reflect.getMetadata(PATH_METADATA, original) !== undefined
      ? 'http'
      : Reflect.getMetadata(PATTERN_HANDLER_METADATA, original) !== undefined
        ? 'rpc'
        : 'plain';
  const carrier =
    kind === 'http' ? addResponseParameter(prototype, methodName, original) : NO_CARRIER;
  const state: InstrumentedMethod = { kind, carrier, options, recorders: new WeakMap() };
  const wrapper = function (this: object, ...args: unknown[]): unknown {
    const recorder = state.recorders.get(this) ?? state.fallback;
    return recorder === undefined
      ? original.apply(this, args)
      : recorder.invoke(this, original, args);
  } as Method;
  for (const key of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), wrapper);
  }
  Object.defineProperty(wrapper, 'name', { value: original.name });
  Object.defineProperty(wrapper, INSTRUMENTED, { value: state });
  const descriptor = Object.getOwnPropertyDescriptor(prototype, methodName) ?? {
    configurable: true,
    enumerable: false,
    writable: true,
  };
  Object.defineProperty(prototype, methodName, { ...descriptor, value: wrapper });
  return state;
}

const NO_CARRIER: HttpCarrier = { index: -1, type: 'response', manual: false };

/**
 * HTTP handlers receive only their declared arguments; to see the response (for its bytes and
 * its end) the explorer asks Nest for one more: the handler's own @Res() when it has one,
 * otherwise a hidden `@Res({ passthrough: true })` after the declared parameters (Nest still
 * sends the result), or `@Req()` when the handler uses @Next() (a passthrough response would
 * change how Nest answers).
 */
function addResponseParameter(prototype: object, methodName: string, method: Method): HttpCarrier {
  const cls = prototype.constructor;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, methodName) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const params = Object.entries(args).map(([key, value]) => ({
    type: Number(key.split(':')[0]),
    index: value.index,
    data: value.data,
  }));
  const response = params.find((p) => p.type === RESPONSE_PARAM);
  if (response) {
    const passthrough =
      Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, cls, methodName) === true ||
      (response.data as { passthrough?: boolean } | undefined)?.passthrough === true;
    return { index: response.index, type: 'response', manual: !passthrough };
  }
  const declared =
    (Reflect.getMetadata('design:paramtypes', prototype, methodName) as unknown[] | undefined)
      ?.length ?? 0;
  const index = Math.max(declared, method.length, ...params.map((p) => p.index + 1));
  if (params.some((p) => p.type === NEXT_PARAM)) {
    Req()(prototype, methodName, index);
    return { index, type: 'request', manual: false };
  }
  Res({ passthrough: true })(prototype, methodName, index);
  return { index, type: 'response', manual: false };
}
