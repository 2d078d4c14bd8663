/** Metadata key set by @DynamoEndpoint() on the decorated method. */
export const DYNAMO_ENDPOINT_METADATA = 'dynamo:endpoint';

/** Injection token of the module's resolved configuration (options merged with environment). */
export const DYNAMO_METRICS_CONFIG = Symbol('DYNAMO_METRICS_CONFIG');

export const DEFAULT_NAMESPACE = 'dynamo';

/** Class name suffixes dropped when a component name is derived from a class name. */
export const CLASS_SUFFIXES = [
  'Controller',
  'Service',
  'Gateway',
  'Handler',
  'Provider',
  'Resolver',
  'Worker',
];

export const getComponentToken = (component: string): string => `DynamoComponent:${component}`;
export const getEndpointToken = (component: string, endpoint: string): string =>
  `DynamoEndpoint:${component}/${endpoint}`;
