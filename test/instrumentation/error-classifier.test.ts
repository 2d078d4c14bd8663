import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { classifyError, httpStatusOf, isRefusal } from '../../src/instrumentation/error-classifier';
import { openAiError } from '../../src/frontend/openai-error';

/** The one HttpException check every feature uses (worker error types, frontend, OpenAI body). */

/** An HttpException from another copy of @nestjs/common: the same methods, another class. */
class ForeignHttpException extends Error {
  constructor(private readonly status: number) {
    super(`status ${status}`);
  }
  getStatus(): number {
    return this.status;
  }
  getResponse(): unknown {
    return { message: 'from elsewhere' };
  }
}

describe('httpStatusOf', () => {
  it("reads Nest's HttpException and look-alikes; nothing else has a status", () => {
    assert.equal(httpStatusOf(new NotFoundException()), 404);
    assert.equal(httpStatusOf(new HttpException('x', 503)), 503);
    assert.equal(httpStatusOf(new ForeignHttpException(429)), 429);
    assert.equal(httpStatusOf(new Error('plain')), undefined);
    assert.equal(httpStatusOf({ getStatus: () => '400' }), undefined, 'not a number');
    assert.equal(httpStatusOf({ status: 400 }), undefined);
    assert.equal(httpStatusOf(null), undefined);
    assert.equal(httpStatusOf(undefined), undefined);
    assert.equal(httpStatusOf('error text'), undefined);
  });
});

describe('classifyError and isRefusal', () => {
  it('below 500 and RpcException are refusals (client_error); the rest handler errors', () => {
    assert.equal(classifyError(new BadRequestException()), 'client_error');
    assert.equal(classifyError(new ForeignHttpException(404)), 'client_error');
    assert.equal(classifyError(new RpcException('bad input')), 'client_error');
    assert.equal(classifyError(new HttpException('down', 503)), 'handler_error');
    assert.equal(classifyError(new TypeError('bug')), 'handler_error');
    assert.equal(classifyError(undefined), 'handler_error');
    assert.equal(isRefusal(new BadRequestException()), true);
    assert.equal(isRefusal(new HttpException('down', 500)), false);
    assert.equal(isRefusal(new RpcException('x')), false, 'RPC is not an HTTP refusal');
  });
});

describe('openAiError', () => {
  it("a 4xx look-alike's message, a 5xx or unknown error a generic body", () => {
    assert.deepEqual(openAiError(new ForeignHttpException(422)).error, {
      message: 'from elsewhere',
      type: 'invalid_request_error',
      param: null,
      code: 422,
    });
    assert.equal(
      openAiError(new HttpException('secret', 500)).error.message,
      'Internal server error',
    );
    assert.equal(openAiError(new Error('secret')).error.type, 'server_error');
  });
});
