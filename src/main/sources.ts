import { PrometheusSource } from '../adapters/prometheus/source.js';
import type { MedicConfig } from '../config/schema.js';
import type { SourceName } from '../domain/evidence/bundle.js';
import type { EvidenceSources } from '../pipeline/gather.js';
import { SourceGuard } from '../pipeline/source-guard.js';

export interface SourceSetup {
  sources: EvidenceSources;
  /** Health checks for /readyz, one per configured source. */
  checks: Array<{ name: string; check: () => Promise<void> }>;
  /** Sources left out and why, for /readyz and the start-up log. */
  disabled: Array<{ name: string; reason: string }>;
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
  return setup;
}

/** One guard per source for the life of the process, so circuit state carries across incidents. */
export function sourceGuards(config: MedicConfig): Record<SourceName, SourceGuard> {
  const { timeoutMs, retries, breakAfter, halfOpenAfterMs } = config.gather;
  const guard = (source: SourceName) =>
    new SourceGuard(source, { timeoutMs: timeoutMs[source], retries, breakAfter, halfOpenAfterMs });
  return {
    metrics: guard('metrics'),
    logs: guard('logs'),
    traces: guard('traces'),
    kubernetes: guard('kubernetes'),
  };
}
