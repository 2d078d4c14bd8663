import { Provider } from '@nestjs/common';
import { Namespace } from '../core';
import { getComponentToken, getEndpointToken } from './levels.constants';

/**
 * Names asked for by @InjectComponent() / @InjectEndpoint(). The decorators run when their
 * classes are defined, before the root module calls forRoot(), so the module can provide one
 * token per name without the user listing them.
 */
const components = new Set<string>();
const endpoints = new Map<string, [string, string]>();

export function requestComponent(component: string): void {
  components.add(component);
}

export function requestEndpoint(component: string, endpoint: string): void {
  endpoints.set(getEndpointToken(component, endpoint), [component, endpoint]);
}

export function createLevelProviders(): Provider[] {
  const providers: Provider[] = [];
  for (const component of components) {
    providers.push({
      provide: getComponentToken(component),
      inject: [Namespace],
      useFactory: (ns: Namespace) => ns.component(component),
    });
  }
  for (const [token, [component, endpoint]] of endpoints) {
    providers.push({
      provide: token,
      inject: [Namespace],
      useFactory: (ns: Namespace) => ns.component(component).endpoint(endpoint),
    });
  }
  return providers;
}
