import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { instrumentRpcServer } from './rpc-transport-hooks';

interface Subscribable {
  subscribe(next: (server: unknown) => void): { unsubscribe(): void };
}

/**
 * Puts the byte hooks on every microservice server of the application. NestMicroservice's
 * constructor registers its server with `ModulesContainer#addRpcTarget` (createMicroservice and
 * connectMicroservice alike), after providers exist and before it listens; the registry is a
 * ReplaySubject, so servers registered before this provider are seen too. Without the registry
 * (or without microservices) this does nothing.
 */
@Injectable()
export class RpcWireBytesService implements OnModuleDestroy {
  private readonly subscription?: { unsubscribe(): void };

  constructor(modules: ModulesContainer) {
    const registry = (
      modules as unknown as { getRpcTargetRegistry?: () => Subscribable }
    ).getRpcTargetRegistry?.();
    this.subscription = registry?.subscribe(instrumentRpcServer);
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
