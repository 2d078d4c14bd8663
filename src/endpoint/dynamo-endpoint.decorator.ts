import { SetMetadata } from '@nestjs/common';
import { DYNAMO_ENDPOINT_METADATA } from './dynamo-endpoint.constants';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';

/**
 * Records the worker metrics (requests, concurrency, duration, bytes, errors) for every call of
 * the method: HTTP routes, microservice handlers and plain provider methods, with sync, Promise,
 * Observable, async iterable and stream results. It only attaches metadata; the module's
 * explorer instruments the method when the application starts.
 */
export const DynamoEndpoint = (options: DynamoEndpointOptions = {}): MethodDecorator =>
  SetMetadata(DYNAMO_ENDPOINT_METADATA, options);
