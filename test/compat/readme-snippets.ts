import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './compat-support';

/**
 * The README's TypeScript snippets, as files a compiler can check. A snippet that starts with an
 * `import` is a whole file and compiled as it is; any other is a fragment of a user's file,
 * compiled after PRELUDE: the imports and the user's own types it refers to. Not a test file.
 */

export interface Snippet {
  /** Line of the README where the snippet's code starts. */
  line: number;
  code: string;
  whole: boolean;
}

/** What a fragment takes from around it in a user's project (their types, Nest, rxjs, ...). */
export const PRELUDE = `
import 'reflect-metadata';
import cluster from 'node:cluster';
import {
  Body, CanActivate, Controller, ExecutionContext, HttpCode, Injectable, MessageEvent, Module,
  OnApplicationBootstrap, PipeTransform, Post, Sse,
} from '@nestjs/common';
import { InjectMetric, makeCounterProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { interval, map, Observable } from 'rxjs';
import {
  Component, DynamoEndpoint, DynamoMetricsModule, DynamoMetricsModuleOptions,
  DynamoMetricsOptionsFactory, Endpoint, FrontendMetrics, LlmFrontendEndpoint, TokenUsage,
} from 'nestjs-dynamo-metrics';
// @nestjs/config, as its typings give it (get() may return undefined).
declare class ConfigService { get<T = string>(key: string): T | undefined; }
declare class ConfigModule {}
// @nestjs/microservices (not installed in this app).
declare function MessagePattern(pattern: string): MethodDecorator;
declare function Payload(): ParameterDecorator;
// The user's own types.
interface Req { prompt: string; model: string }
interface GenerateRequest { prompt: string }
interface Token { text: string }
interface ChatRequest { model: string; messages: unknown[] }
interface ChatResponse { id: string }
interface ChatCompletionRequest extends ChatRequest { stream?: boolean }
interface Chunk { usage?: TokenUsage }
declare class ChatRequestPipe implements PipeTransform<unknown, ChatCompletionRequest> {
  transform(value: unknown): ChatCompletionRequest;
}
declare class Engine {
  chat(body: ChatRequest): Promise<ChatResponse>;
  streamChunks(body: ChatCompletionRequest): AsyncIterable<Chunk>;
  complete(body: ChatCompletionRequest): Promise<{ usage: TokenUsage }>;
}
declare class Model {
  generate(req: Req): Promise<string>;
  stream(data: GenerateRequest): Observable<Token>;
  tokens(prompt: string): AsyncIterable<string>;
}
interface Worker { generate(ids: number[]): Promise<string> }
declare class Tokenizer { encode(messages: unknown[]): Promise<number[]>; }
declare class Router { pick(ids: number[]): Worker; }
declare const backend: Component;
declare const generate: Endpoint;
void [Body, Controller, HttpCode, Injectable, Module, Post, Sse, InjectMetric,
  makeCounterProvider, PrometheusModule, Counter, Histogram, interval, map, cluster,
  DynamoEndpoint, DynamoMetricsModule, FrontendMetrics, LlmFrontendEndpoint];
export type { CanActivate, ExecutionContext, OnApplicationBootstrap, MessageEvent, DynamoMetricsModuleOptions, DynamoMetricsOptionsFactory };
`;

/** Every ```ts block of the README, with the line it starts on (indentation removed). */
export async function readmeSnippets(): Promise<Snippet[]> {
  const text = await readFile(join(ROOT, 'README.md'), 'utf8');
  const out: Snippet[] = [];
  const fence = /^([ \t]*)```(?:ts|typescript)\n([\s\S]*?)^\1```$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const indent = m[1]!.length;
    const code = m[2]!
      .split('\n')
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    const line = text.slice(0, m.index).split('\n').length + 1;
    out.push({ line, code, whole: /^\s*(\/\/.*\n\s*)*import /.test(code) });
  }
  return out;
}

/**
 * Writes each snippet as `readme/snippet-NN.ts` under `dir`, and a tsconfig checking them the
 * way a strict project does (`strict`, `exactOptionalPropertyTypes`, decorators with metadata,
 * skipLibCheck off). Returns the config's path and a function that turns a compiler message's
 * `readme/snippet-NN.ts(L,C)` into the README line.
 */
export async function writeSnippetProject(
  dir: string,
  snippets: Snippet[],
): Promise<{ config: string; toReadme: (message: string) => string }> {
  await mkdir(join(dir, 'readme'), { recursive: true });
  const preludeLines = PRELUDE.split('\n').length - 1;
  const files: string[] = [];
  for (const [i, s] of snippets.entries()) {
    const file = `readme/snippet-${String(i).padStart(2, '0')}.ts`;
    await writeFile(join(dir, file), s.whole ? s.code : `${PRELUDE}${s.code}`);
    files.push(file);
  }
  const config = join(dir, 'tsconfig.readme.json');
  const compilerOptions = {
    target: 'ES2022',
    module: 'commonjs',
    strict: true,
    exactOptionalPropertyTypes: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    skipLibCheck: false,
    types: ['node'],
    noEmit: true,
  };
  await writeFile(config, JSON.stringify({ compilerOptions, files }, null, 2));
  const toReadme = (message: string) =>
    message.replace(/readme\/snippet-(\d+)\.ts\((\d+),(\d+)\)/g, (_, n: string, l: string) => {
      const s = snippets[Number(n)]!;
      const line = Number(l) - (s.whole ? 0 : preludeLines);
      return `README.md:${s.line + line - 1}`;
    });
  return { config, toReadme };
}
