import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createElasticsearchLogSource } from '../adapters/elasticsearch/source.js';
import { createJaegerTraceSource } from '../adapters/jaeger/source.js';
import { createClusterReader } from '../adapters/kubernetes/reader.js';
import { PrometheusSource } from '../adapters/prometheus/source.js';
import { createTempoTraceSource } from '../adapters/tempo/source.js';
import type { MedicConfig } from '../config/schema.js';
import type { SourceName } from '../domain/evidence/bundle.js';
import type { EvidenceSources } from '../pipeline/gather.js';
import { createSourceGuards, type SourceGuard } from '../pipeline/source-guard.js';

export interface SourceSetup {
  sources: EvidenceSources;
  /** Health checks for /readyz, one per configured source. */
  checks: Array<{ name: string; check: () => Promise<void> }>;
  /** Sources left out and why, for /readyz and the start-up log. */
  disabled: Array<{ name: string; reason: string }>;
}

function kubeconfigAvailable(config: MedicConfig): boolean {
  return (
    config.kubernetes.kubeconfig !== undefined ||
    process.env['KUBERNETES_SERVICE_HOST'] !== undefined ||
    existsSync(join(homedir(), '.kube', 'config'))
  );
}

/** Builds each configured evidence source; an optional source that is not configured is simply absent. */
export function evidenceSources(config: MedicConfig): SourceSetup {
  const setup: SourceSetup = { sources: {}, checks: [], disabled: [] };

  const { url: prometheusUrl, ...prometheus } = config.prometheus;
  if (prometheusUrl) {
    const source = new PrometheusSource({ ...prometheus, url: prometheusUrl });
    setup.sources.metrics = source;
    setup.checks.push({ name: 'prometheus', check: () => source.ping() });
  } else {
    setup.disabled.push({
      name: 'prometheus',
      reason: 'PROMETHEUS_URL not set; metrics evidence is skipped',
    });
  }

  const { url: elasticsearchUrl, ...elasticsearch } = config.elasticsearch;
  if (elasticsearchUrl) {
    const source = createElasticsearchLogSource({ ...elasticsearch, url: elasticsearchUrl });
    setup.sources.logs = source;
    setup.checks.push({ name: 'elasticsearch', check: () => source.ping() });
  } else {
    setup.disabled.push({
      name: 'elasticsearch',
      reason: 'ELASTICSEARCH_URL not set; log evidence is skipped',
    });
  }

  const { tempoUrl, jaegerUrl, tempo, jaeger } = config.traces;
  if (tempoUrl) {
    const source = createTempoTraceSource({ ...tempo, url: tempoUrl });
    setup.sources.traces = source;
    setup.checks.push({ name: 'tempo', check: () => source.ping() });
  } else if (jaegerUrl) {
    const source = createJaegerTraceSource({ ...jaeger, url: jaegerUrl });
    setup.sources.traces = source;
    setup.checks.push({ name: 'jaeger', check: () => source.ping() });
  } else {
    setup.disabled.push({
      name: 'traces',
      reason: 'neither TEMPO_URL nor JAEGER_URL set; trace evidence is skipped',
    });
  }

  if (kubeconfigAvailable(config)) {
    const kubeconfig = config.kubernetes.kubeconfig;
    setup.sources.cluster = createClusterReader(kubeconfig ? { kubeconfig } : {});
    setup.checks.push({
      name: 'kubernetes',
      check: async () => {
        await setup.sources.cluster?.nodes();
      },
    });
  } else {
    setup.disabled.push({
      name: 'kubernetes',
      reason: 'no KUBECONFIG, ~/.kube/config or in-cluster service account',
    });
  }
  return setup;
}

export function sourceGuards(config: MedicConfig): Record<SourceName, SourceGuard> {
  return createSourceGuards(config.gather);
}
