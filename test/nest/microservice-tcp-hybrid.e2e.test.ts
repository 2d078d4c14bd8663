import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { ClientProxy, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { http } from '../support/http-client';
import {
  closeApp,
  createApp,
  PLATFORMS,
  portOf,
  scrape,
  SUITE_TIMEOUT_MS,
} from '../support/nest-app';
import { freePort } from '../support/net';
import { expected, worker } from '../support/worker-metrics';
import {
  HybridModule,
  L,
  withoutBytes,
  tcpClient,
  assertNothingInFlight,
} from './fixtures/math-microservice-app';

/**
 * A hybrid app: its HTTP route and its TCP message handler recorded in the same runtime.
 */

for (const platform of PLATFORMS) {
  describe(
    `hybrid app: HTTP + TCP microservice (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let app: INestApplication;
      let httpPort: number;
      let client: ClientProxy;

      before(async () => {
        const tcpPort = await freePort();
        app = await createApp(platform, HybridModule);
        app.connectMicroservice({
          transport: Transport.TCP,
          options: { host: '127.0.0.1', port: tcpPort },
        });
        await app.startAllMicroservices();
        await app.listen(0, '127.0.0.1');
        httpPort = portOf(app);
        client = tcpClient(tcpPort);
        await client.connect();
      });

      after(async () => {
        await client?.close();
        await closeApp(app);
      });

      it('HTTP route and message handler are recorded in the same runtime', async () => {
        let received = 0;
        for (let i = 0; i < 3; i++) {
          const res = await http(httpPort, 'GET', '/hybrid/ping');
          assert.equal(res.status, 200);
          assert.deepEqual(JSON.parse(res.text), { pong: true });
          received += res.received;
        }
        const incs = await Promise.all(
          [1, 2, 3, 4].map((n) => lastValueFrom(client.send<number>('hybrid.inc', n))),
        );
        assert.deepEqual(incs, [2, 3, 4, 5]);
        const s = await scrape(app);
        // The HTTP route measures the wire (no request body; the JSON replies).
        assert.deepEqual(
          worker(s, L('hybrid', 'ping')),
          expected({ requests: 3, durationCount: 3, responseBytes: received }),
        );
        assert.deepEqual(
          withoutBytes(worker(s, L('hybrid', 'rpc_inc'))),
          expected({ requests: 4, durationCount: 4 }),
        );
        assertNothingInFlight(s);
      });
    },
  );
}
