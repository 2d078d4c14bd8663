/** Injection token of the `Component` named `component` in the module's namespace. */
export const getComponentToken = (component: string): string => `DynamoComponent:${component}`;

/** Injection token of the `Endpoint` `component/endpoint` in the module's namespace. */
export const getEndpointToken = (component: string, endpoint: string): string =>
  `DynamoEndpoint:${component}/${endpoint}`;
