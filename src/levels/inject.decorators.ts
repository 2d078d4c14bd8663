import { Inject } from '@nestjs/common';
import { Namespace } from '../core';
import { getComponentToken, getEndpointToken } from './levels.constants';
import { requestComponent, requestEndpoint } from './level-providers';

type InjectDecorator = ParameterDecorator & PropertyDecorator;

/** Injects the module's default `Namespace` (the `DistributedRuntime` is injectable by class). */
export const InjectNamespace = (): InjectDecorator => Inject(Namespace);

/**
 * Injects the `Component` of the module's namespace with this name. `InjectComponent.token(name)`
 * is its provider token, for `Test.createTestingModule(...).overrideProvider(token)`.
 */
export const InjectComponent: {
  (component: string): InjectDecorator;
  token(component: string): string;
} = Object.assign(
  (component: string): InjectDecorator => {
    requestComponent(component);
    return Inject(getComponentToken(component));
  },
  { token: getComponentToken },
);

/**
 * Injects the `Endpoint` `component/endpoint` of the module's namespace;
 * `InjectEndpoint.token(component, endpoint)` is its provider token.
 */
export const InjectEndpoint: {
  (component: string, endpoint: string): InjectDecorator;
  token(component: string, endpoint: string): string;
} = Object.assign(
  (component: string, endpoint: string): InjectDecorator => {
    requestEndpoint(component, endpoint);
    return Inject(getEndpointToken(component, endpoint));
  },
  { token: getEndpointToken },
);
