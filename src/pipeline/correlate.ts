import type { Alert } from '../domain/alert.js';
import type { AuditEventInput } from '../domain/audit.js';
import { type Incident, type IncidentAlert, moreSevere, stateAfterAlerts } from '../domain/incident.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore, IncidentTx } from '../ports/incident-store.js';
import type { AlertAdmission, IngestQueue } from '../ports/ingest-queue.js';
import type { StageQueue } from '../ports/stage-queue.js';

export interface CorrelateDeps {
  store: IncidentStore;
  queue: Pick<IngestQueue, 'release'>;
  clock: Clock;
  logger: Logger;
  /** Where newly opened and reopened incidents go next. */
  stages?: StageQueue;
  onTransition?: (incidentId: string, to: Incident['state']) => void;
}

export interface CorrelateOutcome {
  applied: number;
  duplicates: number;
  unmatched: number;
  opened: string[];
  resolved: string[];
  reopened: string[];
  /** Types of the audit events appended, one entry per event. */
  auditEvents: string[];
}

const ACTOR = 'medic/correlate';
const MAX_FINGERPRINTS_PER_EVENT = 50;

function incidentTitle(alert: Alert): string {
  return alert.workload
    ? `${alert.alertname} on ${alert.workload.kind}/${alert.workload.name}`
    : alert.alertname;
}

function newIncident(id: string, alert: Alert, now: string): Incident {
  return {
    id,
    correlationKey: alert.correlationKey,
    state: 'open',
    title: incidentTitle(alert),
    severity: alert.severity,
    cluster: alert.cluster,
    namespace: alert.namespace,
    workload: alert.workload,
    openedAt: now,
    updatedAt: now,
    lastAlertAt: alert.receivedAt,
    resolvedAt: null,
    alertCount: 0,
    firingCount: 0,
  };
}

function toIncidentAlert(alert: Alert, now: string): IncidentAlert {
  return {
    fingerprint: alert.fingerprint,
    alertname: alert.alertname,
    status: alert.status,
    severity: alert.severity,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
    firstSeenAt: now,
    lastSeenAt: now,
  };
}

interface Touched {
  incident: Incident;
  initialState: Incident['state'] | null;
  received: Alert[];
}

/** Drops alerts already recorded and alerts repeated within the batch, keeping the first of each key. */
async function freshAdmissions(tx: IncidentTx, batch: readonly AlertAdmission[]): Promise<AlertAdmission[]> {
  const seen = await tx.seenAlertKeys(batch.map((admission) => admission.alert.key));
  const fresh: AlertAdmission[] = [];
  for (const admission of batch) {
    if (seen.has(admission.alert.key)) continue;
    seen.add(admission.alert.key);
    fresh.push(admission);
  }
  return fresh;
}

async function locateIncident(
  tx: IncidentTx,
  admission: AlertAdmission,
  touched: Map<string, Touched>,
  now: string,
): Promise<Touched | null> {
  const { alert, incidentId } = admission;
  const known = incidentId ? touched.get(incidentId) : undefined;
  if (known) return known;
  const existing = incidentId
    ? await tx.getIncident(incidentId)
    : await tx.findIncidentByFingerprint(alert.fingerprint, alert.correlationKey);
  if (existing) {
    const entry = touched.get(existing.id) ?? {
      incident: existing,
      initialState: existing.state,
      received: [],
    };
    touched.set(existing.id, entry);
    return entry;
  }
  // A resolved alert with no incident has nothing to resolve; a firing one opens the incident ingest named.
  if (alert.status === 'resolved' || !incidentId) return null;
  const entry: Touched = { incident: newIncident(incidentId, alert, now), initialState: null, received: [] };
  await tx.insertIncident(entry.incident);
  touched.set(incidentId, entry);
  return entry;
}

function eventsFor(entry: Touched): AuditEventInput[] {
  const { incident, initialState, received } = entry;
  const events: AuditEventInput[] = [];
  if (initialState === null) {
    events.push({
      incident: incident.id,
      actor: ACTOR,
      type: 'incident.opened',
      data: {
        correlationKey: incident.correlationKey,
        title: incident.title,
        cluster: incident.cluster,
        namespace: incident.namespace,
        workload: incident.workload,
      },
    });
  }
  events.push({
    incident: incident.id,
    actor: ACTOR,
    type: 'alerts.received',
    data: {
      count: received.length,
      firing: received.filter((alert) => alert.status === 'firing').length,
      resolved: received.filter((alert) => alert.status === 'resolved').length,
      alertnames: [...new Set(received.map((alert) => alert.alertname))].sort(),
      fingerprints: received
        .slice(0, MAX_FINGERPRINTS_PER_EVENT)
        .map((alert) => `${alert.fingerprint}:${alert.status}`),
    },
  });
  if (initialState !== null && initialState !== incident.state) {
    events.push({
      incident: incident.id,
      actor: ACTOR,
      type: incident.state === 'resolved' ? 'incident.resolved' : 'incident.reopened',
      data: { from: initialState, to: incident.state, reason: 'alerts' },
    });
  }
  return events;
}

/** Folds a batch of admitted alerts into incidents, exactly once per alert, in one transaction. */
export async function correlate(
  batch: readonly AlertAdmission[],
  deps: CorrelateDeps,
): Promise<CorrelateOutcome> {
  const nowDate = deps.clock.now();
  const now = nowDate.toISOString();
  const outcome = await deps.store.transaction(async (tx) => {
    const fresh = await freshAdmissions(tx, batch);
    const touched = new Map<string, Touched>();
    let unmatched = 0;
    for (const admission of fresh) {
      const entry = await locateIncident(tx, admission, touched, now);
      if (!entry) {
        unmatched += 1;
        continue;
      }
      const { created } = await tx.upsertAlert(entry.incident.id, toIncidentAlert(admission.alert, now));
      entry.received.push(admission.alert);
      entry.incident.alertCount += created ? 1 : 0;
      entry.incident.severity = moreSevere(entry.incident.severity, admission.alert.severity);
      if (admission.alert.receivedAt > entry.incident.lastAlertAt)
        entry.incident.lastAlertAt = admission.alert.receivedAt;
    }
    const result: CorrelateOutcome = {
      applied: fresh.length - unmatched,
      duplicates: batch.length - fresh.length,
      unmatched,
      opened: [],
      resolved: [],
      reopened: [],
      auditEvents: [],
    };
    const events: AuditEventInput[] = [];
    for (const entry of touched.values()) {
      const incident = entry.incident;
      incident.firingCount = await tx.firingCount(incident.id);
      const initial = entry.initialState ?? 'open';
      const executed =
        initial === 'escalated' && incident.firingCount === 0
          ? (await tx.countExecutions({
              since: incident.openedAt,
              correlationKey: incident.correlationKey,
            })) > 0
          : true;
      const next = stateAfterAlerts(initial, incident.firingCount, executed);
      incident.state = next;
      incident.updatedAt = now;
      if (next === 'resolved' && entry.initialState !== 'resolved') incident.resolvedAt = now;
      if (next === 'open' && entry.initialState === 'resolved') incident.resolvedAt = null;
      await tx.updateIncident(incident);
      if (entry.initialState === null) result.opened.push(incident.id);
      else if (next === 'resolved' && entry.initialState !== 'resolved') result.resolved.push(incident.id);
      else if (next === 'open' && entry.initialState === 'resolved') result.reopened.push(incident.id);
      events.push(...eventsFor(entry));
    }
    await tx.recordAlertReceipts(
      fresh.map((admission) => ({
        key: admission.alert.key,
        incidentId: admission.incidentId,
        receivedAt: now,
      })),
    );
    await tx.appendAudit(events, nowDate);
    result.auditEvents = events.map((event) => event.type);
    // Enqueued before commit: a crash after commit cannot lose the hand-off, and the stage retries
    // until the commit is visible. The occasion keeps a reopened incident's second gather distinct.
    if (deps.stages) {
      for (const id of result.opened) await deps.stages.enqueue('gather', id, 'opened');
      for (const id of result.reopened)
        await deps.stages.enqueue('gather', id, `reopened-${nowDate.getTime()}`);
    }
    return { result, touched };
  });

  for (const id of outcome.result.resolved) {
    const incident = outcome.touched.get(id)?.incident;
    if (incident) await deps.queue.release(incident.correlationKey, incident.id);
  }
  for (const entry of outcome.touched.values()) {
    if (entry.initialState !== entry.incident.state)
      deps.onTransition?.(entry.incident.id, entry.incident.state);
    deps.logger.info(
      {
        incident: entry.incident.id,
        stage: 'correlate',
        state: entry.incident.state,
        alerts: entry.received.length,
      },
      entry.initialState === null ? 'incident opened' : 'alerts correlated',
    );
  }
  return outcome.result;
}
