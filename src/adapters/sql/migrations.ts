export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Both dialects share these tables; `serial` and `append-only` differ and are filled in per dialect. */
export function coreSchema(dialect: { auditSeq: string; appendOnly: string }): Migration[] {
  return [
    {
      version: 1,
      name: 'incidents, alerts, receipts and the audit log',
      sql: `
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  correlation_key TEXT NOT NULL,
  state TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT,
  cluster TEXT NOT NULL,
  namespace TEXT,
  workload_kind TEXT,
  workload_name TEXT,
  workload_inferred INTEGER,
  opened_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_alert_at TEXT NOT NULL,
  resolved_at TEXT,
  alert_count INTEGER NOT NULL,
  firing_count INTEGER NOT NULL
);
CREATE INDEX incidents_opened ON incidents (opened_at DESC, id DESC);
CREATE INDEX incidents_state ON incidents (state);
CREATE INDEX incidents_correlation ON incidents (correlation_key);
CREATE TABLE incident_alerts (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  fingerprint TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  alertname TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT,
  generator_url TEXT,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, fingerprint)
);
CREATE INDEX incident_alerts_fingerprint ON incident_alerts (fingerprint, correlation_key);
CREATE TABLE alert_receipts (
  alert_key TEXT PRIMARY KEY,
  incident_id TEXT,
  received_at TEXT NOT NULL
);
CREATE TABLE audit_events (
  seq ${dialect.auditSeq} PRIMARY KEY,
  at TEXT NOT NULL,
  incident TEXT,
  actor TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_incident ON audit_events (incident, seq);
${dialect.appendOnly}
`,
    },
    {
      version: 2,
      name: 'evidence bundles',
      sql: `
CREATE TABLE incident_evidence (
  incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
  collected_at TEXT NOT NULL,
  bundle TEXT NOT NULL
);
`,
    },
    {
      version: 3,
      name: 'similar past incidents',
      sql: `
CREATE TABLE incident_similar (
  incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
  retrieved_at TEXT NOT NULL,
  result TEXT NOT NULL
);
`,
    },
    {
      version: 4,
      name: 'drafts, plans, approvals, executions, settings',
      sql: `
CREATE TABLE incident_drafts (
  incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
  drafted_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  created_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX plans_incident ON plans (incident_id, created_at);
CREATE TABLE approvals (
  plan_id TEXT NOT NULL REFERENCES plans (id),
  by_name TEXT NOT NULL,
  decision TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  via TEXT NOT NULL,
  reason TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (plan_id, by_name, decision)
);
CREATE TABLE executions (
  plan_id TEXT PRIMARY KEY REFERENCES plans (id),
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  idempotency_key TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX executions_started ON executions (started_at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
    },
  ];
}
