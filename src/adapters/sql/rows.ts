import type { AuditEvent } from '../../domain/audit.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Incident, IncidentAlert, IncidentState } from '../../domain/incident.js';
import type { WorkloadKind } from '../../domain/workload.js';

/** Column layout shared by the SQLite and PostgreSQL stores; timestamps are ISO strings in both. */
export interface IncidentRow {
  id: string;
  correlation_key: string;
  state: string;
  title: string;
  severity: string | null;
  cluster: string;
  namespace: string | null;
  workload_kind: string | null;
  workload_name: string | null;
  workload_inferred: number | boolean | null;
  opened_at: string;
  updated_at: string;
  last_alert_at: string;
  resolved_at: string | null;
  alert_count: number | string;
  firing_count: number | string;
}

export interface AlertRow {
  fingerprint: string;
  alertname: string;
  status: string;
  severity: string | null;
  labels: string;
  annotations: string;
  starts_at: string;
  ends_at: string | null;
  generator_url: string | null;
  first_seen_at: string;
  last_seen_at: string;
}

export interface AuditRow {
  seq: number | string;
  at: string;
  incident: string | null;
  actor: string;
  type: string;
  data: string;
  prev_hash: string;
  hash: string;
}

export const incidentColumns =
  'id, correlation_key, state, title, severity, cluster, namespace, workload_kind, workload_name, workload_inferred, opened_at, updated_at, last_alert_at, resolved_at, alert_count, firing_count';

export function incidentFromRow(row: IncidentRow): Incident {
  return {
    id: row.id,
    correlationKey: row.correlation_key,
    state: row.state as IncidentState,
    title: row.title,
    severity: row.severity,
    cluster: row.cluster,
    namespace: row.namespace,
    workload:
      row.workload_kind && row.workload_name
        ? {
            kind: row.workload_kind as WorkloadKind,
            name: row.workload_name,
            inferred: Boolean(row.workload_inferred),
          }
        : null,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    lastAlertAt: row.last_alert_at,
    resolvedAt: row.resolved_at,
    alertCount: Number(row.alert_count),
    firingCount: Number(row.firing_count),
  };
}

/** Positional values in `incidentColumns` order. */
export function incidentValues(incident: Incident): unknown[] {
  return [
    incident.id,
    incident.correlationKey,
    incident.state,
    incident.title,
    incident.severity,
    incident.cluster,
    incident.namespace,
    incident.workload?.kind ?? null,
    incident.workload?.name ?? null,
    incident.workload ? (incident.workload.inferred ? 1 : 0) : null,
    incident.openedAt,
    incident.updatedAt,
    incident.lastAlertAt,
    incident.resolvedAt,
    incident.alertCount,
    incident.firingCount,
  ];
}

export function alertFromRow(row: AlertRow): IncidentAlert {
  return {
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    status: row.status as IncidentAlert['status'],
    severity: row.severity,
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    generatorURL: row.generator_url,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function auditFromRow(row: AuditRow): AuditEvent {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    // Unparseable data is tampering too; keep the raw text so the hash check reports it.
    data = { unparseable: row.data };
  }
  return {
    seq: Number(row.seq),
    at: row.at,
    incident: row.incident,
    actor: row.actor,
    type: row.type,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface PageCursor {
  openedAt: string;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.openedAt, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { openedAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new MedicError(ErrorCodes.badRequest, 'cursor is not one this server issued', { field: 'cursor' });
}
