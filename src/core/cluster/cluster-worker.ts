import { AggregatorRegistry, register as promGlobalRegistry, Registry } from 'prom-client';
import type { DistributedRuntime } from '../hierarchy';
import { cluster, isMessage, MSG, WireMetric } from './cluster.protocol';

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

function sendToPrimary(message: object): void {
  if (!process.connected || !process.send) return;
  // The callback keeps a closed channel from turning into an 'error' event.
  process.send(message, () => undefined);
}

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
    if ([...this.entries].some((e) => e.options.promClientAggregator !== false)) {
      this.syncPromClient();
    }
    sendToPrimary({ type: MSG.hello });
  }

  remove(entry: WorkerEntry): void {
    this.entries.delete(entry);
    if (entry.options.promClientAggregator !== false) this.syncPromClient();
    if (this.entries.size === 0 && this.listener) {
      process.off('message', this.listener);
      this.listener = undefined;
      sendToPrimary({ type: MSG.bye });
    }
  }

  private registries(): Registry[] {
    const all = new Set<Registry>();
    for (const { runtime, options } of this.entries) {
      for (const r of runtime.promRegistries()) all.add(r);
      for (const r of options.registries ?? []) all.add(r);
    }
    return [...all];
  }

  private syncPromClient(): void {
    const regs = this.registries();
    AggregatorRegistry.setRegistries(regs.length ? regs : [promGlobalRegistry]);
  }

  private async answerCollect(requestId: number): Promise<void> {
    try {
      const lists = await Promise.all(this.registries().map((r) => r.getMetricsAsJSON()));
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
                typeof v.value === 'number' && !Number.isFinite(v.value)
                  ? String(v.value)
                  : v.value,
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
