import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric medic exports; one instance per process, passed to whoever records. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'medic_' });
  return {
    registry,
    webhookRequests: new Counter({
      name: 'medic_webhook_requests_total',
      help: 'Alertmanager webhook requests by HTTP status code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    alertsReceived: new Counter({
      name: 'medic_alerts_received_total',
      help: 'Alerts accepted by ingest, by status; duplicates counted separately',
      labelNames: ['status', 'outcome'] as const,
      registers: [registry],
    }),
    ingestLatency: new Histogram({
      name: 'medic_ingest_latency_ms',
      help: 'Webhook handling time until the alerts were durable, in milliseconds',
      buckets: [0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
    ingestBatchSize: new Histogram({
      name: 'medic_ingest_batch_alerts',
      help: 'Alerts written to the queue per flush',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'medic_queue_jobs',
      help: 'Jobs in each stage queue by state',
      labelNames: ['stage', 'state'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'medic_job_duration_seconds',
      help: 'Time a stage spent on one job',
      labelNames: ['stage', 'outcome'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    incidentsByState: new Gauge({
      name: 'medic_incidents',
      help: 'Incidents by state',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    incidentTransitions: new Counter({
      name: 'medic_incident_transitions_total',
      help: 'Incident state changes',
      labelNames: ['to'] as const,
      registers: [registry],
    }),
    gatherSources: new Counter({
      name: 'medic_gather_sources_total',
      help: 'Evidence source results by source and state (ok, unavailable, unconfigured)',
      labelNames: ['source', 'state'] as const,
      registers: [registry],
    }),
    gatherSourceSeconds: new Histogram({
      name: 'medic_gather_source_seconds',
      help: 'Time one evidence source took for one incident, retries included',
      labelNames: ['source'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    circuitOpen: new Gauge({
      name: 'medic_gather_circuit_open',
      help: '1 while the circuit breaker of an evidence source is open',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    auditEvents: new Counter({
      name: 'medic_audit_events_total',
      help: 'Audit events appended by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
