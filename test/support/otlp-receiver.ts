import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type { OtlpProtocol } from '../../src/internal';
import { Sample } from './exposition-parser';
import { poll } from './poll';

/**
 * An OTLP metrics receiver for the tests, in the three protocols (http/json, http/protobuf on
 * `POST /v1/metrics`, grpc's `MetricsService/Export`), decoding with OpenTelemetry's own
 * protobuf definitions: the code generated from opentelemetry-proto that
 * `@opentelemetry/otlp-transformer` shipped up to 0.217 (installed as `otlp-transformer-protos`).
 * It can be stopped and started again on the same port (a collector that is down), and made to
 * answer errors (`failWith`). Not a test file.
 */

interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
const root = require('otlp-transformer-protos/build/src/generated/root') as {
  opentelemetry: { proto: { collector: { metrics: { v1: Record<string, ProtoType> } } } };
};
const COLLECTOR = root.opentelemetry.proto.collector.metrics.v1;
const REQUEST = COLLECTOR.ExportMetricsServiceRequest!;
const RESPONSE = COLLECTOR.ExportMetricsServiceResponse!;
const GRPC_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

type AnyValue = {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
};
type KeyValue = { key: string; value?: AnyValue };
interface NumberPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  exemplars?: unknown[];
}
interface HistogramPoint extends NumberPoint {
  count?: string;
  sum?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
}
interface DecodedMetric {
  name: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints?: NumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints?: NumberPoint[] };
  histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: number };
  summary?: unknown;
  exponentialHistogram?: unknown;
}
interface DecodedRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ scope?: { name?: string }; metrics?: DecodedMetric[] }>;
  }>;
}

/** One data point as received, flattened. */
export interface ReceivedPoint {
  name: string;
  description: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'other';
  /** 2 is cumulative (AGGREGATION_TEMPORALITY_CUMULATIVE); absent for gauges. */
  temporality?: number;
  monotonic?: boolean;
  attributes: Record<string, string>;
  start: bigint;
  time: bigint;
  /** Sums and gauges. */
  value?: number;
  /** Whether the value came as a double (`as_double`), as Dynamo sends every value. */
  double?: boolean;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  bounds?: number[];
  exemplars: number;
}

/** One export request as received. */
export interface ReceivedExport {
  protocol: OtlpProtocol;
  /** Request headers (HTTP) or metadata (gRPC), lower-case names. */
  headers: Record<string, string>;
  contentType: string;
  resource: Record<string, string>;
  scopes: string[];
  points: ReceivedPoint[];
}

const text = (value: AnyValue | undefined): string =>
  value?.stringValue ?? String(value?.intValue ?? value?.doubleValue ?? value?.boolValue ?? '');
const attributesOf = (kvs: KeyValue[] | undefined) =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, text(kv.value)]));

/** The request decoded, flattened into points. */
function flatten(
  protocol: OtlpProtocol,
  decoded: DecodedRequest,
  headers: Record<string, string>,
  contentType: string,
): ReceivedExport {
  const out: ReceivedExport = {
    protocol,
    headers,
    contentType,
    resource: {},
    scopes: [],
    points: [],
  };
  for (const rm of decoded.resourceMetrics ?? []) {
    Object.assign(out.resource, attributesOf(rm.resource?.attributes));
    for (const sm of rm.scopeMetrics ?? []) {
      out.scopes.push(sm.scope?.name ?? '');
      for (const m of sm.metrics ?? []) {
        const base = { name: m.name, description: m.description ?? '', unit: m.unit ?? '' };
        const numberPoint = (p: NumberPoint) => ({
          ...base,
          attributes: attributesOf(p.attributes),
          start: BigInt(p.startTimeUnixNano ?? 0),
          time: BigInt(p.timeUnixNano ?? 0),
          value: p.asDouble ?? Number(p.asInt ?? NaN),
          double: p.asDouble !== undefined,
          exemplars: p.exemplars?.length ?? 0,
        });
        if (m.sum) {
          for (const p of m.sum.dataPoints ?? []) {
            out.points.push({
              ...numberPoint(p),
              kind: 'sum',
              temporality: m.sum.aggregationTemporality ?? 0,
              monotonic: m.sum.isMonotonic ?? false,
            });
          }
        } else if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? [])
            out.points.push({ ...numberPoint(p), kind: 'gauge' });
        } else if (m.histogram) {
          for (const p of m.histogram.dataPoints ?? []) {
            const { value: _v, double: _d, ...point } = numberPoint(p);
            out.points.push({
              ...point,
              kind: 'histogram',
              temporality: m.histogram.aggregationTemporality ?? 0,
              count: Number(p.count ?? 0),
              sum: p.sum ?? NaN,
              bucketCounts: (p.bucketCounts ?? []).map(Number),
              bounds: p.explicitBounds ?? [],
            });
          }
        } else {
          out.points.push({
            ...base,
            kind: 'other',
            attributes: {},
            start: 0n,
            time: 0n,
            exemplars: 0,
          });
        }
      }
    }
  }
  return out;
}

const TO_OBJECT = { longs: String, enums: Number, arrays: true };

/** The samples `/metrics` would show for these points (cumulative `_bucket{le}`, `_sum`, `_count`). */
export function asSamples(points: readonly ReceivedPoint[]): Sample[] {
  const samples: Sample[] = [];
  for (const p of points) {
    if (p.kind !== 'histogram') {
      samples.push({ name: p.name, labels: p.attributes, value: p.value! });
      continue;
    }
    let acc = 0;
    const les = [...p.bounds!.map(String), '+Inf'];
    p.bucketCounts!.forEach((c, i) => {
      acc += c;
      samples.push({
        name: `${p.name}_bucket`,
        labels: { ...p.attributes, le: les[i]! },
        value: acc,
      });
    });
    samples.push({ name: `${p.name}_sum`, labels: p.attributes, value: p.sum! });
    samples.push({ name: `${p.name}_count`, labels: p.attributes, value: p.count! });
  }
  return samples;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export class OtlpReceiver {
  readonly exports: ReceivedExport[] = [];
  /** Export requests that arrived, accepted or not. */
  requests = 0;
  /**
   * Answer every export with this (HTTP status, or a gRPC status code for grpc), or never answer
   * (`'hang'`, a collector that is slow past any deadline); undefined: accept.
   */
  failWith?: number | 'hang';
  private http?: Server;
  private grpc?: grpc.Server;

  private constructor(
    readonly protocol: OtlpProtocol,
    public port: number,
  ) {}

  /** Starts a receiver on a free port (or `port`). */
  static async start(protocol: OtlpProtocol, port = 0): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(protocol, port);
    await receiver.listen();
    return receiver;
  }

  /** What OTEL_EXPORTER_OTLP_METRICS_ENDPOINT should say. */
  get endpoint(): string {
    return this.protocol === 'grpc'
      ? `http://127.0.0.1:${this.port}`
      : `http://127.0.0.1:${this.port}/v1/metrics`;
  }

  /** Every point of every export so far, the latest last. */
  points(): ReceivedPoint[] {
    return this.exports.flatMap((e) => e.points);
  }

  /** Waits for an export that `match` accepts (looking at exports from index `from` on). */
  waitFor(
    what: string,
    match: (e: ReceivedExport) => boolean,
    { from = 0, timeoutMs = 15_000 } = {},
  ): Promise<ReceivedExport> {
    return poll(
      () => `${what} (${this.exports.length} exports received)`,
      () => this.exports.slice(from).find(match),
      { timeoutMs, intervalMs: 20 },
    );
  }

  async listen(): Promise<void> {
    if (this.protocol === 'grpc') {
      const server = new grpc.Server();
      server.addService(
        {
          Export: {
            path: GRPC_PATH,
            requestStream: false,
            responseStream: false,
            requestSerialize: (b: Buffer) => b,
            requestDeserialize: (b: Buffer) => b,
            responseSerialize: (m: unknown) => Buffer.from(RESPONSE.encode(m).finish()),
            responseDeserialize: (b: Buffer) => b,
          },
        },
        {
          Export: (
            call: grpc.ServerUnaryCall<Buffer, unknown>,
            done: grpc.sendUnaryData<unknown>,
          ) => {
            this.requests++;
            if (this.failWith === 'hang') return;
            if (this.failWith !== undefined) {
              done({ code: this.failWith, details: 'failing on purpose' });
              return;
            }
            const headers = Object.fromEntries(
              Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]),
            );
            const decoded = REQUEST.toObject(
              REQUEST.decode(call.request),
              TO_OBJECT,
            ) as DecodedRequest;
            this.exports.push(flatten('grpc', decoded, headers, 'application/grpc'));
            done(null, RESPONSE.fromObject({}));
          },
        },
      );
      this.grpc = server;
      this.port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(
          `127.0.0.1:${this.port}`,
          grpc.ServerCredentials.createInsecure(),
          (err, port) => (err ? reject(err) : resolve(port)),
        ),
      );
      return;
    }
    const server = createServer((req, res) => {
      void body(req).then((bytes) => {
        if (req.method !== 'POST' || req.url !== '/v1/metrics') {
          res.writeHead(404).end();
          return;
        }
        this.requests++;
        if (this.failWith === 'hang') return;
        if (this.failWith !== undefined) {
          res.writeHead(this.failWith).end();
          return;
        }
        const contentType = req.headers['content-type'] ?? '';
        const message = contentType.startsWith('application/json')
          ? REQUEST.fromObject(JSON.parse(bytes.toString('utf8')))
          : REQUEST.decode(bytes);
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
        );
        this.exports.push(
          flatten(
            this.protocol,
            REQUEST.toObject(message, TO_OBJECT) as DecodedRequest,
            headers,
            contentType,
          ),
        );
        const json = contentType.startsWith('application/json');
        res.writeHead(200, {
          'content-type': json ? 'application/json' : 'application/x-protobuf',
        });
        res.end(json ? '{}' : Buffer.from(RESPONSE.encode(RESPONSE.fromObject({})).finish()));
      });
    });
    this.http = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening (a collector that is down); `listen()` comes back on the same port. */
  async stop(): Promise<void> {
    const { http, grpc: server } = this;
    this.http = undefined;
    this.grpc = undefined;
    if (server) server.forceShutdown();
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }
}
