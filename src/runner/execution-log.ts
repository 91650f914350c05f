import type { AuditEventInput } from '../domain/audit.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { assertTransition, type IncidentState } from '../domain/incident.js';
import type { Execution } from '../domain/plan.js';
import type { ObjectRef } from '../domain/playbook.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';

export const RUNNER_ACTOR = 'medic/runner';

export interface RunnerEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface Persisted {
  /** False when another run owns the plan's execution: the caller must not write to the cluster. */
  owned: boolean;
  execution: Execution;
}

export const refName = (ref: ObjectRef): string =>
  ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;

/**
 * Saves the execution, moves the incident and appends audit events in one transaction, so the audit
 * log never says more (or less) than the stored state. Nothing is written when another run owns the
 * execution.
 */
export async function persist(
  deps: { store: IncidentStore; clock: Clock },
  execution: Execution,
  events: readonly RunnerEvent[],
  incidentState: IncidentState | null = null,
): Promise<Persisted> {
  const now = deps.clock.now();
  const next: Execution = { ...execution, updatedAt: now.toISOString() };
  return deps.store.transaction(async (tx) => {
    const saved = await tx.saveExecution(next);
    if (!saved.created && saved.current.idempotencyKey !== next.idempotencyKey) {
      return { owned: false, execution: saved.current };
    }
    if (incidentState !== null) {
      const incident = await tx.getIncident(execution.incidentId);
      if (!incident) {
        throw new MedicError(ErrorCodes.notFound, `incident ${execution.incidentId} is not stored`);
      }
      if (incident.state !== incidentState) {
        // An execution that fails before its first write still passed through executing.
        const via =
          incident.state === 'approved' && incidentState !== 'escalated' ? 'executing' : incident.state;
        if (via !== incident.state) assertTransition(incident.state, via);
        if (via !== incidentState) assertTransition(via, incidentState);
        await tx.updateIncident({
          ...incident,
          state: incidentState,
          updatedAt: now.toISOString(),
          ...(incidentState === 'resolved' ? { resolvedAt: now.toISOString() } : {}),
        });
      }
    }
    if (events.length > 0) {
      const inputs: AuditEventInput[] = events.map((event) => ({
        incident: execution.incidentId,
        actor: RUNNER_ACTOR,
        type: event.type,
        data: { plan: execution.planId, ...event.data },
      }));
      await tx.appendAudit(inputs, now);
    }
    return { owned: true, execution: saved.current };
  });
}

/** Audit events that change no state (a duplicate run, a paused start). */
export async function audit(
  deps: { store: IncidentStore; clock: Clock },
  incidentId: string,
  events: readonly RunnerEvent[],
): Promise<void> {
  await deps.store.transaction((tx) =>
    tx.appendAudit(
      events.map((event) => ({
        incident: incidentId,
        actor: RUNNER_ACTOR,
        type: event.type,
        data: event.data,
      })),
      deps.clock.now(),
    ),
  );
}
