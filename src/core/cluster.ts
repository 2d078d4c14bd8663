import type { Cluster, Worker } from 'node:cluster';
import { AggregatorRegistry, register as promGlobalRegistry, Registry } from 'prom-client';
import { PROMETHEUS_CONTENT_TYPE } from './constants';
import { DynamoMetricsError } from './errors';
import { ExpositionContentType, ExposableMetric, renderMetrics } from './exposition';
import type { DistributedRuntime } from './hierarchy';

/**
 * Node `cluster` support. Workers answer the primary's collection requests over the cluster IPC
 * channel with their registries as JSON (prom-client's `getMetricsAsJSON()`); the primary merges
 * them per metric with the metric's `aggregator` (as prom-client's AggregatorRegistry does) and
 * renders the result in either exposition format.
 *
 * The messages are this package's own (not prom-client's `prom-client:getMetricsReq`), so the
 * collector can live next to an AggregatorRegistry in the same primary, merges series by exact
 * label sets (prom-client's cluster hashing joins `key:value,` and can merge two label sets),
 * waits only for workers that registered, and supports OpenMetrics.
 */

const MSG = {
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

interface Message {
  type?: unknown;
  requestId?: number;
  metrics?: WireMetric[];
  error?: string;
}

interface WireValue {
  labels?: Record<string, string | number>;
  /** Non-finite numbers travel as strings ('NaN', 'Infinity', '-Infinity'): IPC is JSON. */
  value: number | string;
  metricName?: string;
}

interface WireMetric {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values?: WireValue[];
}

// Loaded lazily, as prom-client does: some application servers (Passenger) crash when it is imported.
let clusterModule: Cluster | undefined;
const cluster = (): Cluster => (clusterModule ??= require('node:cluster') as Cluster);

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null;

// ---------------------------------------------------------------- worker side

export interface ClusterWorkerOptions {
  /**
   * Further prom-client registries to report with this runtime's (deduplicated). The runtime's
   * own registries (`runtime.promRegistries()`: its metrics, plus the global registry when the
   * runtime includes it) are always reported.
   */
  registries?: Registry[];
  /**
   * Also point prom-client's own `AggregatorRegistry.setRegistries()` at the same registries, so
   * a primary that uses `new AggregatorRegistry().clusterMetrics()` sees them too. prom-client
   * only answers in a worker where `new AggregatorRegistry()` was constructed, and
   * `setRegistries()` replaces any earlier call. Default true.
   */
  promClientAggregator?: boolean;
}

export interface ClusterWorkerRegistration {
  /** False when this process is not a cluster worker (then nothing was registered). */
  readonly active: boolean;
  /** Stops reporting this runtime; the last one removes the IPC listener. Idempotent. */
  disable(): void;
}

interface WorkerEntry {
  runtime: DistributedRuntime;
  options: ClusterWorkerOptions;
}

const workerEntries = new Set<WorkerEntry>();
let workerListener: ((message: unknown) => void) | undefined;

function workerRegistries(): Registry[] {
  const all = new Set<Registry>();
  for (const { runtime, options } of workerEntries) {
    for (const r of runtime.promRegistries()) all.add(r);
    for (const r of options.registries ?? []) all.add(r);
  }
  return [...all];
}

function sendToPrimary(message: object): void {
  if (!process.connected || !process.send) return;
  // The callback keeps a closed channel from turning into an 'error' event.
  process.send(message, () => undefined);
}

async function answerCollect(requestId: number): Promise<void> {
  try {
    const lists = await Promise.all(workerRegistries().map((r) => r.getMetricsAsJSON()));
    const metrics: WireMetric[] = [];
    for (const list of lists) {
      for (const m of list as unknown as WireMetric[]) {
        metrics.push({
          name: m.name,
          help: m.help,
          type: String(m.type),
          aggregator: m.aggregator,
          values: (m.values ?? []).map((v) => ({
            labels: v.labels,
            value:
              typeof v.value === 'number' && !Number.isFinite(v.value) ? String(v.value) : v.value,
            metricName: v.metricName,
          })),
        });
      }
    }
    sendToPrimary({ type: MSG.result, requestId, metrics });
  } catch (err) {
    sendToPrimary({ type: MSG.result, requestId, error: (err as Error).message ?? String(err) });
  }
}

function syncPromClient(): void {
  const wanted = [...workerEntries].some((e) => e.options.promClientAggregator !== false);
  if (!wanted) return;
  const regs = workerRegistries();
  AggregatorRegistry.setRegistries(regs.length ? regs : [promGlobalRegistry]);
}

/**
 * In a cluster worker, makes `runtime`'s metrics (and the global registry when the runtime
 * includes it) answer the primary's collector (`ClusterMetricsCollector`,
 * `startClusterMetricsServer`). Outside a cluster worker it does nothing and returns an inactive
 * registration, so it can be called unconditionally. Several runtimes in one worker are reported
 * together. How each metric is merged across workers is its aggregator (`sum` unless set with
 * `runtime.setAggregator()`; the module sets `max` for the uptime gauge).
 */
export function enableClusterWorker(
  runtime: DistributedRuntime,
  options: ClusterWorkerOptions = {},
): ClusterWorkerRegistration {
  if (!cluster().isWorker || typeof process.send !== 'function') {
    return { active: false, disable: () => undefined };
  }
  const entry: WorkerEntry = { runtime, options };
  workerEntries.add(entry);
  if (!workerListener) {
    workerListener = (message: unknown) => {
      if (!isMessage(message)) return;
      if (message.type === MSG.collect && typeof message.requestId === 'number') {
        void answerCollect(message.requestId);
      } else if (message.type === MSG.ping) {
        sendToPrimary({ type: MSG.hello });
      }
    };
    process.on('message', workerListener);
  }
  syncPromClient();
  sendToPrimary({ type: MSG.hello });
  let active = true;
  return {
    active: true,
    disable: () => {
      if (!active) return;
      active = false;
      workerEntries.delete(entry);
      if (entry.options.promClientAggregator !== false) {
        const regs = workerRegistries();
        AggregatorRegistry.setRegistries(regs.length ? regs : [promGlobalRegistry]);
      }
      if (workerEntries.size === 0 && workerListener) {
        process.off('message', workerListener);
        workerListener = undefined;
        sendToPrimary({ type: MSG.bye });
      }
    },
  };
}

// ---------------------------------------------------------------- primary side

export interface ClusterMetricsCollectorOptions {
  /** How long a collection waits for the workers, in ms. Default 5000 (prom-client's). */
  timeoutMs?: number;
}

interface Collection {
  pending: Set<number>;
  results: WireMetric[][];
  timer: NodeJS.Timeout;
  resolve: (metrics: WireMetric[][]) => void;
  reject: (err: Error) => void;
}

/**
 * The primary's side: asks every registered worker for its metrics and merges them. Workers
 * register by calling `enableClusterWorker()` (the Nest module does with `cluster.worker`);
 * workers that never did are not waited for, so a worker that is still booting (and has served
 * nothing) or that runs no metrics does not fail the scrape. A registered worker that does not
 * answer within the timeout fails the collection (a partial sum would look like a counter reset).
 */
export class ClusterMetricsCollector {
  private readonly timeoutMs: number;
  private readonly registered = new Set<number>();
  private readonly collections = new Map<number, Collection>();
  private nextRequestId = 0;
  private closed = false;

  private readonly onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage(message)) return;
    switch (message.type) {
      case MSG.hello:
        this.registered.add(worker.id);
        return;
      case MSG.bye:
        this.forget(worker.id);
        return;
      case MSG.result: {
        const collection = this.collections.get(message.requestId as number);
        if (!collection || !collection.pending.has(worker.id)) return;
        if (message.error !== undefined) {
          this.finish(
            message.requestId as number,
            new Error(
              `worker ${worker.id} (pid ${worker.process.pid}) failed to collect its metrics: ${message.error}`,
            ),
          );
          return;
        }
        this.registered.add(worker.id);
        collection.pending.delete(worker.id);
        collection.results.push(message.metrics ?? []);
        if (collection.pending.size === 0) this.finish(message.requestId as number);
        return;
      }
    }
  };

  private readonly onGone = (worker: Worker): void => this.forget(worker.id);

  constructor(options: ClusterMetricsCollectorOptions = {}) {
    const c = cluster();
    if (!c.isPrimary) {
      throw new DynamoMetricsError(
        'ClusterMetricsCollector (and startClusterMetricsServer) must run in the cluster primary; ' +
          'in workers call enableClusterWorker(runtime) or set the module option cluster: { worker: true }.',
      );
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new DynamoMetricsError(
        `Invalid timeoutMs ${String(timeoutMs)}: give a positive number of milliseconds.`,
      );
    }
    this.timeoutMs = timeoutMs;
    c.on('message', this.onMessage);
    c.on('exit', this.onGone);
    c.on('disconnect', this.onGone);
    // Workers that registered before this collector existed say hello again.
    for (const worker of Object.values(c.workers ?? {})) {
      if (worker?.isConnected()) worker.send({ type: MSG.ping }, () => undefined);
    }
  }

  /** Ids (`worker.id`) of the workers that currently answer. */
  get workers(): number[] {
    return [...this.registered];
  }

  /** The workers' metrics as received, one array per worker (for custom exporters). */
  collectJSON(): Promise<WireMetric[][]> {
    if (this.closed)
      return Promise.reject(new DynamoMetricsError('The cluster metrics collector is closed.'));
    const c = cluster();
    const targets = [...this.registered]
      .map((id) => c.workers?.[id])
      .filter((w): w is Worker => !!w && w.isConnected());
    if (targets.length === 0) return Promise.resolve([]);
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const collection: Collection = {
        pending: new Set(targets.map((w) => w.id)),
        results: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          const missing = [...collection.pending]
            .map((id) => `${id} (pid ${c.workers?.[id]?.process.pid ?? '?'})`)
            .join(', ');
          this.finish(
            requestId,
            new Error(
              `cluster metrics: worker(s) ${missing} did not answer within ${this.timeoutMs} ms`,
            ),
          );
        }, this.timeoutMs),
      };
      this.collections.set(requestId, collection);
      for (const worker of targets) {
        worker.send({ type: MSG.collect, requestId }, (err: Error | null) => {
          if (err) this.dropFromCollection(requestId, worker.id);
        });
      }
    });
  }

  /** The merged metrics of all registered workers, as exposition text in `contentType`. */
  async collect(contentType: ExpositionContentType = PROMETHEUS_CONTENT_TYPE): Promise<string> {
    const merged = aggregateWorkerMetrics(await this.collectJSON());
    return renderMetrics(
      contentType,
      merged.map((metric) => ({ metric })),
    );
  }

  /** Removes the cluster listeners; pending collections fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const c = cluster();
    c.off('message', this.onMessage);
    c.off('exit', this.onGone);
    c.off('disconnect', this.onGone);
    for (const id of [...this.collections.keys()]) {
      this.finish(id, new DynamoMetricsError('The cluster metrics collector was closed.'));
    }
  }

  private forget(workerId: number): void {
    this.registered.delete(workerId);
    for (const id of [...this.collections.keys()]) this.dropFromCollection(id, workerId);
  }

  /** A worker that went away mid-collection: its metrics went with it, so it is not waited for. */
  private dropFromCollection(requestId: number, workerId: number): void {
    const collection = this.collections.get(requestId);
    if (!collection || !collection.pending.delete(workerId)) return;
    if (collection.pending.size === 0) this.finish(requestId);
  }

  private finish(requestId: number, error?: Error): void {
    const collection = this.collections.get(requestId);
    if (!collection) return;
    this.collections.delete(requestId);
    clearTimeout(collection.timer);
    if (error) collection.reject(error);
    else collection.resolve(collection.results);
  }
}

// ---------------------------------------------------------------- aggregation

type AggregateFn = (values: number[]) => number;
const AGGREGATE: Record<string, AggregateFn | null> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  first: (v) => v[0]!,
  min: (v) => v.reduce((a, b) => Math.min(a, b), Infinity),
  max: (v) => v.reduce((a, b) => Math.max(a, b), -Infinity),
  average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  omit: null,
};

const decode = (value: number | string): number =>
  typeof value === 'number' ? value : Number(value);

/** Exact identity of a sample: its metric name and its label set (order-free, no separator tricks). */
const sampleKey = (v: WireValue): string =>
  JSON.stringify([
    v.metricName ?? '',
    Object.entries(v.labels ?? {})
      .map(([k, val]) => [k, String(val)])
      .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
  ]);

/**
 * Merges the workers' metrics: per metric name, samples with the same name and label set are
 * combined with the metric's aggregator (`sum` when none is given; `omit` drops the metric).
 */
export function aggregateWorkerMetrics(perWorker: readonly WireMetric[][]): ExposableMetric[] {
  const byName = new Map<string, WireMetric[]>();
  for (const metrics of perWorker) {
    for (const m of metrics) {
      const group = byName.get(m.name);
      if (group) group.push(m);
      else byName.set(m.name, [m]);
    }
  }
  const out: ExposableMetric[] = [];
  for (const [name, group] of byName) {
    const first = group[0]!;
    const aggregatorName = first.aggregator ?? 'sum';
    if (!(aggregatorName in AGGREGATE)) {
      throw new DynamoMetricsError(
        `Metric "${name}": '${aggregatorName}' is not a defined aggregator.`,
      );
    }
    const fn = AGGREGATE[aggregatorName];
    if (!fn) continue;
    const samples = new Map<string, { sample: WireValue; values: number[] }>();
    for (const m of group) {
      for (const v of m.values ?? []) {
        const key = sampleKey(v);
        const entry = samples.get(key);
        if (entry) entry.values.push(decode(v.value));
        else samples.set(key, { sample: v, values: [decode(v.value)] });
      }
    }
    const values = [...samples.values()].map(({ sample, values: vs }) => ({
      labels: sample.labels ?? {},
      value: fn(vs),
      ...(sample.metricName ? { metricName: sample.metricName } : {}),
    }));
    const data = { name, help: first.help, type: first.type, aggregator: aggregatorName, values };
    out.push({
      name,
      help: first.help,
      type: first.type,
      aggregator: aggregatorName,
      get: () => data,
      getForPromString: () => data,
      reset: () => undefined,
    });
  }
  return out;
}

export type { WireMetric as ClusterWorkerMetric };
