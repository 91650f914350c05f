import { canTransition } from '../../domain/incident.js';
import type { Clock } from '../../ports/clock.js';
import type { IncidentStore } from '../../ports/incident-store.js';

export interface EscalateRequest {
  incidentId: string;
  planId: string;
  by: string;
  slackUser: string;
  /** Whether this person may stop the automation (the approver rule). */
  allowed: boolean;
}

export type EscalateOutcome = { status: 'escalated' } | { status: 'refused' | 'ignored'; reason: string };

/**
 * The Escalate button: hands an incident waiting for approval to people, so medic will not act on
 * it. Same rules as a decision: approvers only, not after the TTL, idempotent, always audited.
 */
export async function escalateIncident(
  request: EscalateRequest,
  deps: { store: IncidentStore; clock: Clock },
): Promise<EscalateOutcome> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx): Promise<EscalateOutcome> => {
    const incident = await tx.getIncident(request.incidentId);
    const plan = await tx.getPlan(request.planId);
    const audit = async (type: string, data: Record<string, unknown>) => {
      await tx.appendAudit(
        [
          {
            incident: request.incidentId,
            actor: `person/${request.by}`,
            type,
            data: {
              plan: request.planId,
              via: 'slack',
              by: request.by,
              slackUser: request.slackUser,
              ...data,
            },
          },
        ],
        now,
      );
    };
    let outcome: EscalateOutcome;
    if (incident?.state !== 'awaiting-approval' || !canTransition(incident.state, 'escalated')) {
      outcome = { status: 'ignored', reason: `the incident is already ${incident?.state ?? 'gone'}` };
    } else if (!request.allowed) {
      outcome = { status: 'refused', reason: `${request.by} is not an approver` };
    } else if (!plan || now.getTime() > Date.parse(plan.expiresAt)) {
      outcome = { status: 'refused', reason: `the plan expired at ${plan?.expiresAt ?? 'an unknown time'}` };
    } else {
      await tx.updateIncident({ ...incident, state: 'escalated', updatedAt: now.toISOString() });
      await audit('incident.escalated', {});
      return { status: 'escalated' };
    }
    await audit(outcome.status === 'refused' ? 'escalation.refused' : 'escalation.ignored', {
      reason: outcome.reason,
    });
    return outcome;
  });
}
