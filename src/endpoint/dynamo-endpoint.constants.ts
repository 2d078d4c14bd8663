/** Metadata key set by @DynamoEndpoint() on the decorated method. */
export const DYNAMO_ENDPOINT_METADATA = 'dynamo:endpoint';
