import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/sample-process';

/**
 * deploy/otel-collector.yml, the Collector of the compose `otlp` profile (no Collector runs
 * here, so it is read, not run): it receives OTLP in every protocol the package pushes, its
 * pipeline names only components it defines, it forwards to the compose Prometheus' OTLP
 * receiver, which the compose file turns on, and the compose service mounts the file where the
 * Collector reads it.
 */

const DEPLOY = join(REPO_ROOT, 'deploy');

interface CollectorConfig {
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: Record<string, unknown>;
  exporters: Record<string, { metrics_endpoint?: string; tls?: { insecure?: boolean } }>;
  service: {
    pipelines: Record<string, Record<'receivers' | 'processors' | 'exporters', string[]>>;
  };
}

describe('deploy/otel-collector.yml', () => {
  const config = parse(readFileSync(join(DEPLOY, 'otel-collector.yml'), 'utf8')) as CollectorConfig;
  const compose = readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8');

  it('receives OTLP over gRPC on 4317 and HTTP on 4318, on every interface of the container', () => {
    const { grpc, http } = config.receivers.otlp.protocols;
    assert.equal(grpc.endpoint, '0.0.0.0:4317');
    assert.equal(http.endpoint, '0.0.0.0:4318');
    assert.match(compose, /- "4317:4317"/);
    assert.match(compose, /- "4318:4318"/);
  });

  it('runs a metrics pipeline of components it defines, forwarding to the compose Prometheus', () => {
    const { metrics, ...others } = config.service.pipelines;
    assert.deepEqual(Object.keys(others), [], 'metrics only');
    assert.ok(metrics);
    for (const name of metrics.receivers) assert.ok(name in config.receivers, name);
    for (const name of metrics.processors) assert.ok(name in config.processors, name);
    assert.deepEqual(metrics.exporters, ['otlphttp/prometheus']);
    const exporter = config.exporters['otlphttp/prometheus']!;
    // Prometheus' OTLP receiver, on the compose service's name and port.
    assert.equal(exporter.metrics_endpoint, 'http://prometheus:9090/api/v1/otlp/v1/metrics');
    assert.equal(exporter.tls?.insecure, true);
    assert.match(compose, /- --enable-feature=otlp-write-receiver\n/);
    assert.match(
      compose,
      /image: prom\/prometheus:v2\.5\d\.\d+/,
      'a Prometheus 2.x that has the flag',
    );
  });

  it('is mounted where the compose service tells the Collector to read it', () => {
    assert.match(compose, /- \.\/otel-collector\.yml:\/etc\/otelcol\/config\.yaml:ro/);
    assert.match(compose, /command: \["--config=\/etc\/otelcol\/config\.yaml"\]/);
    assert.match(
      compose,
      /image: otel\/opentelemetry-collector:\d+\.\d+\.\d+\n {4}profiles: \["otlp"\]/,
    );
  });
});
