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
    drafts: new Counter({
      name: 'medic_drafts_total',
      help: 'Drafts stored, by the drafter that produced them and the playbook chosen',
      labelNames: ['drafter', 'playbook'] as const,
      registers: [registry],
    }),
    draftSeconds: new Histogram({
      name: 'medic_draft_seconds',
      help: 'Time to a stored draft, fallbacks included',
      labelNames: ['drafter'] as const,
      buckets: [0.005, 0.02, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    llmCalls: new Histogram({
      name: 'medic_llm_call_seconds',
      help: 'LLM calls by model and outcome',
      labelNames: ['model', 'outcome'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: 'medic_llm_tokens_total',
      help: 'LLM tokens by model and direction (input, output)',
      labelNames: ['model', 'direction'] as const,
      registers: [registry],
    }),
    llmCost: new Counter({
      name: 'medic_llm_cost_usd_total',
      help: 'LLM cost in US dollars from the configured price table',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    verdicts: new Counter({
      name: 'medic_guard_verdicts_total',
      help: 'Policy verdicts by playbook and decision',
      labelNames: ['playbook', 'decision'] as const,
      registers: [registry],
    }),
    guardSeconds: new Histogram({
      name: 'medic_guard_seconds',
      help: 'Guard stage time: rendering, dry-runs and policy',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    approvals: new Counter({
      name: 'medic_approvals_total',
      help: 'Approval decisions by channel, decision and outcome (recorded, duplicate, refused)',
      labelNames: ['via', 'decision', 'outcome'] as const,
      registers: [registry],
    }),
    executions: new Counter({
      name: 'medic_executions_total',
      help: 'Finished executions by playbook and outcome',
      labelNames: ['playbook', 'outcome'] as const,
      registers: [registry],
    }),
    executionSeconds: new Histogram({
      name: 'medic_execution_seconds',
      help: 'Execution time from start to a final state, rollout waits included',
      labelNames: ['playbook'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    paused: new Gauge({
      name: 'medic_paused',
      help: '1 while the execution kill switch is on',
      registers: [registry],
    }),
    learned: new Counter({
      name: 'medic_memory_learned_total',
      help: 'Ended incidents indexed into the similar-incident memory, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
