import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/**
 * The OTLP bench's collector, a process of its own as a real one is: it accepts every export
 * request without decoding it (grpc on `MetricsService/Export`, http on `POST /v1/metrics`),
 * counts requests and bytes, sends its port once listening and, on each message, the counts
 * since the last one.
 */
const protocol = process.argv[2];
let requests = 0;
let bytes = 0;

process.on('message', () => {
  process.send?.({ requests, bytes });
  requests = 0;
  bytes = 0;
});
process.on('disconnect', () => process.exit(0));

if (protocol === 'grpc') {
  const server = new grpc.Server();
  const identity = (b: Buffer) => b;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
        requests++;
        bytes += call.request.length;
        done(null, Buffer.alloc(0));
      },
    },
  );
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.send?.({ port });
  });
} else {
  const server = createServer((req, res) => {
    requests++;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1', () =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
}
