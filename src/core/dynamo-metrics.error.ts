/** The one error class of the package; its texts come from `core.messages.ts`. */
export class DynamoMetricsError extends Error {
  override readonly name = 'DynamoMetricsError';
}
