import type { Registry } from 'prom-client';
import { collectMetrics, registrySources } from '../collect';
import { includedRegistry, runtimeSources } from '../hierarchy';
import type { DistributedRuntime } from '../hierarchy';
import { PromMetricData, promDataVisitor } from '../prom-data';
import { cluster, isMessage, MSG, WireMetric } from './cluster.protocol';

export interface ClusterWorkerOptions {
  /**
   * Further prom-client registries to report with this runtime's metrics (deduplicated). The
   * runtime's own metrics, and the global registry when the runtime includes it, always are.
   */
  registries?: Registry[];
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

function sendToPrimary(message: object): void {
  if (!process.connected || !process.send) return;
  // The callback keeps a closed channel from turning into an 'error' event.
  process.send(message, () => undefined);
}

/** Non-finite numbers travel as strings: IPC is JSON. */
const toWire = ({ name, help, type, aggregator, values = [] }: PromMetricData): WireMetric => ({
  name,
  help,
  type: String(type),
  aggregator,
  values: values.map(({ labels, value, metricName }) => ({
    labels,
    value: Number.isFinite(value) ? value : String(value),
    metricName,
  })),
});

/** This process's one IPC channel to the primary is shared by every runtime registered in it. */
class WorkerReporter {
  private readonly entries = new Set<WorkerEntry>();
  private listener?: (message: unknown) => void;

  add(entry: WorkerEntry): void {
    this.entries.add(entry);
    if (!this.listener) {
      this.listener = (message: unknown) => {
        if (!isMessage(message)) return;
        if (message.type === MSG.collect && typeof message.requestId === 'number') {
          void this.answerCollect(message.requestId);
        } else if (message.type === MSG.ping) {
          sendToPrimary({ type: MSG.hello });
        }
      };
      process.on('message', this.listener);
    }
    sendToPrimary({ type: MSG.hello });
  }

  remove(entry: WorkerEntry): void {
    this.entries.delete(entry);
    if (this.entries.size === 0 && this.listener) {
      process.off('message', this.listener);
      this.listener = undefined;
      sendToPrimary({ type: MSG.bye });
    }
  }

  /** The prom-client registries to report besides the runtimes' own metrics, each once. */
  private registries(): Set<Registry> {
    const all = new Set<Registry>();
    for (const { runtime, options } of this.entries) {
      const included = includedRegistry(runtime);
      if (included) all.add(included);
      for (const r of options.registries ?? []) all.add(r);
    }
    // A runtime's own view given as a further registry would count its metrics twice.
    for (const { runtime } of this.entries) all.delete(runtime.promRegistry());
    return all;
  }

  /** Each runtime's metrics and the registries', read as `/metrics` reads them. */
  private async answerCollect(requestId: number): Promise<void> {
    try {
      const data: PromMetricData[] = [];
      for (const { runtime } of this.entries) {
        await collectMetrics(runtimeSources(runtime, false), promDataVisitor(data));
      }
      await collectMetrics(registrySources(this.registries()), promDataVisitor(data));
      sendToPrimary({ type: MSG.result, requestId, metrics: data.map(toWire) });
    } catch (err) {
      sendToPrimary({ type: MSG.result, requestId, error: (err as Error).message ?? String(err) });
    }
  }
}

const reporter = new WorkerReporter();

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
  reporter.add(entry);
  let active = true;
  return {
    active: true,
    disable: () => {
      if (!active) return;
      active = false;
      reporter.remove(entry);
    },
  };
}
