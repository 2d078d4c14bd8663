import 'reflect-metadata';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { http } from '../support/http-client';
import { scrape } from '../support/nest-app';
import { freePort } from '../support/net';
import { poll } from '../support/poll';
import { worker } from '../support/worker-metrics';
import { HybridWireModule } from './fixtures/wire-app';
import { tapTcpClient, natsMonitor, NatsServer, startNats } from './fixtures/wire-observers';

/**
 * RPC payload bytes in a hybrid app: TCP and NATS microservices and an HTTP route on one
 * application, each with its wire bytes.
 */

describe('RPC payload bytes in a hybrid app (connectMicroservice + startAllMicroservices + HTTP)', () => {
  let app: INestApplication | undefined;
  const clients: ClientProxy[] = [];
  let monitor: Awaited<ReturnType<typeof natsMonitor>> | undefined;
  let server: NatsServer | undefined;

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
    await monitor?.nc.close();
    await server?.stop();
  });

  it('TCP and NATS calls of one handler, and an HTTP route, each with their wire bytes', async (t) => {
    server = await startNats(t);
    if (!server) return;
    const tcpPort = await freePort();
    app = await NestFactory.create(HybridWireModule, { logger: false });
    app.connectMicroservice({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
    app.connectMicroservice({ transport: Transport.NATS, options: { servers: server.url } });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const httpPort = (app.getHttpServer().address() as { port: number }).port;
    monitor = await natsMonitor(server.url);

    const tcp = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
    const nc = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: server.url },
    });
    clients.push(tcp, nc);
    await Promise.all([tcp.connect(), nc.connect()]);
    const tcpTruth = tapTcpClient(tcp);

    const payloads = [{ a: 1 }, { s: 'ü€😀'.repeat(20) }, 'just a string', 7];
    for (const p of payloads) {
      assert.deepEqual(await lastValueFrom(tcp.send('hy.echo', p)), { echoed: p });
      assert.deepEqual(await lastValueFrom(nc.send('hy.echo', p)), { echoed: p });
    }
    const httpBody = JSON.stringify({ s: 'grüße'.repeat(10) });
    const res = await http(httpPort, 'POST', '/hy/echo', httpBody, {
      'content-type': 'application/json',
    });
    assert.equal(res.status, 201);
    await monitor.flush();

    const wire = {
      req: tcpTruth.totals.get('hy.echo')!.req + monitor.totals.get('hy.echo')!.req,
      res: tcpTruth.totals.get('hy.echo')!.res + monitor.totals.get('hy.echo')!.res,
    };
    await poll('the hybrid endpoints to match the wire', async () => {
      const s = await scrape(app!);
      const rpc = worker(s, { component: 'hybrid_wire', endpoint: 'rpc_echo' });
      assert.deepEqual(
        {
          requests: rpc.requests,
          ended: rpc.durationCount,
          inFlight: rpc.concurrent,
          req: rpc.requestBytes,
          res: rpc.responseBytes,
        },
        { requests: 8, ended: 8, inFlight: 0, req: wire.req, res: wire.res },
      );
      const h = worker(s, { component: 'hybrid_wire', endpoint: 'http_echo' });
      assert.deepEqual(
        { requests: h.requests, inFlight: h.concurrent, req: h.requestBytes, res: h.responseBytes },
        { requests: 1, inFlight: 0, req: Buffer.byteLength(httpBody), res: res.body.length },
      );
      return true;
    });
  });
});
