import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { LOGGER_CONTEXT } from '../../config/dynamo-metrics.constants';
import { LOG_MESSAGES } from '../../config/log.messages';
import { rpcTargetRegistry } from '../nest-internals';
import { instrumentRpcServer } from './rpc-server.hooks';

/**
 * Puts the byte hooks on every microservice server of the application, as each registers with
 * Nest (see `rpcTargetRegistry`). Without the registry, or without microservices, it does nothing.
 * A server whose internals are not as the hooks expect gets none, and one warning per transport.
 */
@Injectable()
export class RpcWireBytesService implements OnModuleDestroy {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly warned = new Set<string>();
  private readonly subscription?: { unsubscribe(): void };

  constructor(modules: ModulesContainer) {
    this.subscription = rpcTargetRegistry(modules)?.subscribe((server) =>
      instrumentRpcServer(server, (transport, missing) => {
        if (this.warned.has(transport)) return;
        this.warned.add(transport);
        this.logger.warn(LOG_MESSAGES.rpcBytesOff(transport, missing));
      }),
    );
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
