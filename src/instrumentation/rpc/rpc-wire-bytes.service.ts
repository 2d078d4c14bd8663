import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { rpcTargetRegistry } from '../nest-internals';
import { instrumentRpcServer } from './rpc-server.hooks';

/**
 * Puts the byte hooks on every microservice server of the application, as each registers with
 * Nest (see `rpcTargetRegistry`). Without the registry, or without microservices, it does nothing.
 */
@Injectable()
export class RpcWireBytesService implements OnModuleDestroy {
  private readonly subscription?: { unsubscribe(): void };

  constructor(modules: ModulesContainer) {
    this.subscription = rpcTargetRegistry(modules)?.subscribe(instrumentRpcServer);
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
