import { Inject } from '@nestjs/common';
import { Namespace } from '../core';
import { getComponentToken, getEndpointToken } from './levels.constants';
import { requestComponent, requestEndpoint } from './level-providers';

/** Injects the module's default `Namespace` (the `DistributedRuntime` is injectable by class). */
export const InjectNamespace = (): ParameterDecorator & PropertyDecorator => Inject(Namespace);

/** Injects the `Component` of the module's namespace with this name. */
export const InjectComponent = (component: string): ParameterDecorator & PropertyDecorator => {
  requestComponent(component);
  return Inject(getComponentToken(component));
};

/** Injects the `Endpoint` `component/endpoint` of the module's namespace. */
export const InjectEndpoint = (
  component: string,
  endpoint: string,
): ParameterDecorator & PropertyDecorator => {
  requestEndpoint(component, endpoint);
  return Inject(getEndpointToken(component, endpoint));
};
