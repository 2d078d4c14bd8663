import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestBodyBytes } from '../instrumentation/http-bytes';
import { fastifyRouteUrl } from '../instrumentation/nest-internals';
import { onResponseClose } from '../instrumentation/node-http-access';
import type { HttpServerRecorder } from './http-server.recorder';

/** What the hooks use of Fastify's request and reply. */
interface FastifyRequest {
  raw: IncomingMessage;
}
interface FastifyReply {
  raw: ServerResponse;
  request: FastifyRequest;
  /** Milliseconds from routing to the response's 'finish' (Fastify's own clock reads). */
  elapsedTime: number;
}
type Done = () => void;
interface FastifyInstance {
  addHook(name: 'onRequest' | 'onResponse', hook: (...args: never[]) => void): unknown;
}

/** On a Node response: the reply of a request counted by the `onRequest` hook. */
const REPLY = Symbol('dynamo.httpServer.reply');
type Counted = ServerResponse & { [REPLY]?: FastifyReply };

/**
 * Fastify: an `onRequest` hook counts the request as active and links its reply to the Node
 * response, whose 'close' (once: after the response completed, or when the connection closed
 * first) records it; Fastify's `onResponse` alone would miss every aborted request. The
 * duration is `reply.elapsedTime`: Fastify reads the clock at routing and at 'finish' (Nest's
 * adapter has an `onResponse` hook, which makes it do so), so no clock is read here.
 * Requests Nest answers in hooks that run before this one (its middleware, CORS preflights,
 * the 503 of a server shutting down) are recorded by an `onResponse` hook, without being
 * counted as active.
 */
export function installFastifyHooks(instance: FastifyInstance, recorder: HttpServerRecorder): void {
  const { families } = recorder;

  const record = (reply: FastifyReply, counted: boolean): void => {
    const { request, raw: res } = reply;
    const req = request.raw;
    const method = req.method!;
    const index = families.method(method);
    if (counted) families.activeOf(index).value--;
    const url = fastifyRouteUrl(request);
    const route = url === undefined ? recorder.unmatched : recorder.route(url, url);
    recorder.record(
      route,
      method,
      index,
      res,
      reply.elapsedTime / 1000,
      requestBodyBytes(req, reply),
      reply,
    );
  };

  function onClose(this: Counted): void {
    record(this[REPLY]!, true);
  }

  instance.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: Done) => {
    const req = request.raw;
    if (!recorder.excluded(req.url)) {
      const res = reply.raw as Counted;
      families.activeOf(families.method(req.method!)).value++;
      res[REPLY] = reply;
      onResponseClose(res, onClose);
    }
    done();
  });

  instance.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: Done) => {
    if ((reply.raw as Counted)[REPLY] === undefined && !recorder.excluded(request.raw.url)) {
      record(reply, false);
    }
    done();
  });
}
