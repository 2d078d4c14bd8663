import type { Cluster } from 'node:cluster';

/**
 * Node `cluster` support, the package's one mechanism for it. Workers answer the primary's
 * collection requests over the cluster IPC channel with their metrics read as `/metrics` reads
 * them, in prom-client's JSON shape; the primary merges them per metric with the metric's
 * `aggregator` and renders the result through the one render entry, in either format.
 *
 * The messages are this package's own (not prom-client's `prom-client:getMetricsReq`): series
 * merge by exact label sets (prom-client's cluster hashing joins `key:value,` and can merge two
 * label sets), only workers that registered are waited for, and a dead worker's counters stay.
 */
export const MSG = {
  /** worker -> primary: this worker answers collection requests. */
  hello: 'nestjs-dynamo-metrics:hello',
  /** worker -> primary: this worker no longer answers (its apps closed). */
  bye: 'nestjs-dynamo-metrics:bye',
  /** primary -> worker: say hello if you answer (sent when a collector starts). */
  ping: 'nestjs-dynamo-metrics:ping',
  /** primary -> worker: send your metrics. */
  collect: 'nestjs-dynamo-metrics:collect',
  /** worker -> primary: the metrics (or an error). */
  result: 'nestjs-dynamo-metrics:result',
} as const;

export interface Message {
  type?: unknown;
  requestId?: number;
  metrics?: WireMetric[];
  error?: string;
}

export interface WireValue {
  labels?: Record<string, string | number>;
  /** Non-finite numbers travel as strings ('NaN', 'Infinity', '-Infinity'): IPC is JSON. */
  value: number | string;
  metricName?: string;
}

export interface WireMetric {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values?: WireValue[];
}

// Loaded lazily, as prom-client does: some application servers (Passenger) crash when it is imported.
let clusterModule: Cluster | undefined;
export const cluster = (): Cluster => (clusterModule ??= require('node:cluster') as Cluster);

export const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null;
