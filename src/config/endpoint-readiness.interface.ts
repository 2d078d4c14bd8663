/**
 * How instrumented endpoints report themselves to health: the exposure layer implements it,
 * the endpoint feature calls it, and neither imports the other (the module binds the two).
 */
export interface EndpointReadiness {
  /** An endpoint exists; it is not ready until the application has bootstrapped. */
  register(endpoint: string): void;
}

export const ENDPOINT_READINESS = Symbol('DYNAMO_ENDPOINT_READINESS');
