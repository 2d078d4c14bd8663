import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The worker metrics made the usual prom-client way (labelled metrics in a registry of their
 * own), the reference every benchmark compares the package against.
 */
export function promClientWorkerMetrics() {
  const registry = new Registry();
  const labelNames = ['namespace', 'component', 'endpoint'];
  const registers = [registry];
  return {
    requests: new Counter({ name: 'requests_total', help: 'h', labelNames, registers }),
    concurrent: new Gauge({ name: 'concurrent_requests', help: 'h', labelNames, registers }),
    duration: new Histogram({ name: 'request_duration_seconds', help: 'h', labelNames, registers }),
    bytesIn: new Counter({ name: 'request_bytes_total', help: 'h', labelNames, registers }),
    bytesOut: new Counter({ name: 'response_bytes_total', help: 'h', labelNames, registers }),
    errors: new Counter({
      name: 'errors_total',
      help: 'h',
      labelNames: [...labelNames, 'error_type'],
      registers,
    }),
  };
}
