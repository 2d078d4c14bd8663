import type { Worker } from 'node:cluster';
import { PROMETHEUS_CONTENT_TYPE } from '../constants';
import { MESSAGES } from '../core.messages';
import { DynamoMetricsError } from '../dynamo-metrics.error';
import type { ExpositionContentType } from '../exposition';
import { Exposition, expositionText, renderExposition } from '../render/render-exposition';
import { aggregateWorkerMetrics, retain } from './cluster-aggregation';
import { cluster, isMessage, MSG, WireMetric } from './cluster.protocol';

export interface ClusterMetricsCollectorOptions {
  /** How long a collection waits for the workers, in ms. Default 5000 (prom-client's). */
  timeoutMs?: number;
}

interface Collection {
  pending: Set<number>;
  /** By worker id: a worker that goes away before the end counts through `retained` instead. */
  results: Map<number, WireMetric[]>;
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
  /** Each worker's metrics as last collected: what stays of it when it goes away. */
  private readonly last = new Map<number, WireMetric[]>();
  /** Counters and histograms of workers that went away, summed (see `retain`). */
  private retained: WireMetric[] = [];
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
            new Error(MESSAGES.workerCollectFailed(worker.id, worker.process.pid, message.error)),
          );
          return;
        }
        this.registered.add(worker.id);
        collection.pending.delete(worker.id);
        collection.results.set(worker.id, message.metrics ?? []);
        this.last.set(worker.id, message.metrics ?? []);
        if (collection.pending.size === 0) this.finish(message.requestId as number);
        return;
      }
    }
  };

  private readonly onGone = (worker: Worker): void => this.forget(worker.id);

  constructor(options: ClusterMetricsCollectorOptions = {}) {
    const c = cluster();
    if (!c.isPrimary) {
      throw new DynamoMetricsError(MESSAGES.collectorNotInPrimary());
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new DynamoMetricsError(MESSAGES.invalidTimeout(timeoutMs));
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

  /**
   * The workers' metrics as received, one array per worker (for custom exporters), plus, as one
   * more array, the counters and histograms retained from workers that went away.
   */
  collectJSON(): Promise<WireMetric[][]> {
    if (this.closed) return Promise.reject(new DynamoMetricsError(MESSAGES.collectorClosed()));
    const c = cluster();
    const targets = [...this.registered]
      .map((id) => c.workers?.[id])
      .filter((w): w is Worker => !!w && w.isConnected());
    if (targets.length === 0) return Promise.resolve(this.withRetained([]));
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const collection: Collection = {
        pending: new Set(targets.map((w) => w.id)),
        results: new Map(),
        resolve,
        reject,
        timer: setTimeout(() => {
          const missing = [...collection.pending]
            .map((id) => `${id} (pid ${c.workers?.[id]?.process.pid ?? '?'})`)
            .join(', ');
          this.finish(requestId, new Error(MESSAGES.workersDidNotAnswer(missing, this.timeoutMs)));
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

  /** The merged metrics of all registered workers, rendered (see `MetricsLevel.leaseExposition`). */
  async leaseExposition(
    contentType: ExpositionContentType = PROMETHEUS_CONTENT_TYPE,
  ): Promise<Exposition> {
    const merged = aggregateWorkerMetrics(await this.collectJSON());
    return renderExposition(
      contentType,
      merged.map((metric) => ({ metric })),
    );
  }

  /** The same as one string. */
  collect(contentType: ExpositionContentType = PROMETHEUS_CONTENT_TYPE): Promise<string> {
    return expositionText(this.leaseExposition(contentType));
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
      this.finish(id, new DynamoMetricsError(MESSAGES.collectorClosedDuringCollection()));
    }
  }

  private forget(workerId: number): void {
    this.registered.delete(workerId);
    const last = this.last.get(workerId);
    if (last !== undefined) {
      // Its counts were exposed already: taking them away would read as a counter reset.
      this.last.delete(workerId);
      this.retained = retain(this.retained, last);
    }
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
    if (error) return collection.reject(error);
    const live = [...collection.results].filter(([id]) => this.registered.has(id));
    collection.resolve(this.withRetained(live.map(([, metrics]) => metrics)));
  }

  /** The retained values of workers that went away, as one more "worker". */
  private withRetained(results: WireMetric[][]): WireMetric[][] {
    return this.retained.length > 0 ? [...results, this.retained] : results;
  }
}
