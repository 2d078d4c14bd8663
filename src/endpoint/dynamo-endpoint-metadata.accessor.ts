import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DYNAMO_ENDPOINT_METADATA } from './dynamo-endpoint.constants';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';

/** Typed reads of @DynamoEndpoint() metadata; nothing else reads the key. */
@Injectable()
export class DynamoEndpointMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getOptions(method: object): DynamoEndpointOptions | undefined {
    return this.reflector.get<DynamoEndpointOptions | undefined>(
      DYNAMO_ENDPOINT_METADATA,
      method as () => unknown,
    );
  }
}
