import type { AuditEventInput } from '../domain/audit.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { assertTransition } from '../domain/incident.js';
import type { Approval } from '../domain/plan.js';
import type { Logger } from '../observability/logger.js';
import { isApprover } from '../policy/approvers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';

export interface DecisionRequest {
  decision: Approval['decision'];
  /** The person, as the channel identifies them (a configured name, or a Slack user id). */
  by: string;
  via: Approval['via'];
  reason: string | null;
  slackUser?: string;
  slackGroups?: string[];
  /** The plan the person saw (a Slack card's); a decision on any other plan is refused. */
  planId?: string;
}

export type DecisionStatus = 'approved' | 'waiting' | 'rejected' | 'duplicate' | 'refused';

export interface DecisionOutcome {
  status: DecisionStatus;
  planId: string | null;
  /** Why a decision was refused or ignored. */
  reason: string | null;
  approvals: number;
  required: number;
  incidentState: string;
}

export interface DecideDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  stages?: StageQueue;
}

const ACTOR_PREFIX = 'person/';

/**
 * One approve or reject, from any channel, under the same rules: approver list, TTL, k distinct
 * approvers (two for high risk), idempotent on repeats and on incidents already decided.
 */
export async function decide(
  incidentId: string,
  request: DecisionRequest,
  deps: DecideDeps,
): Promise<DecisionOutcome> {
  const plan = await deps.store.latestPlan(incidentId);
  const now = deps.clock.now();
  const actor = `${ACTOR_PREFIX}${request.by}`;
  const audit = (type: string, data: Record<string, unknown>): AuditEventInput => ({
    incident: incidentId,
    actor,
    type,
    data: { plan: plan?.id ?? null, decision: request.decision, via: request.via, by: request.by, ...data },
  });
  const outcome = await deps.store.transaction(async (tx): Promise<DecisionOutcome> => {
    const incident = await tx.getIncident(incidentId);
    if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} does not exist`);
    const base = { planId: plan?.id ?? null, approvals: 0, required: plan?.verdict.approvers ?? 0 };
    const refuse = async (status: 'refused' | 'duplicate', reason: string) => {
      await tx.appendAudit(
        [audit(status === 'refused' ? 'approval.refused' : 'approval.ignored', { reason })],
        now,
      );
      return { ...base, status, reason, incidentState: incident.state };
    };
    if (!plan) return refuse('refused', 'the incident has no plan to decide on');
    if (request.planId !== undefined && request.planId !== plan.id) {
      return refuse(
        'refused',
        `the decision names plan ${request.planId}; the incident's current plan is ${plan.id}`,
      );
    }
    if (incident.state !== 'awaiting-approval') {
      return refuse('duplicate', `the incident is already ${incident.state}`);
    }
    const identity = {
      name: request.by,
      ...(request.slackUser ? { slackUser: request.slackUser } : {}),
      ...(request.slackGroups ? { slackGroups: request.slackGroups } : {}),
    };
    if (!isApprover(deps.policy, identity)) return refuse('refused', `${request.by} is not an approver`);
    if (now.getTime() > Date.parse(plan.expiresAt)) {
      return refuse('refused', `the plan expired at ${plan.expiresAt}`);
    }
    const approval: Approval = {
      planId: plan.id,
      incidentId,
      decision: request.decision,
      by: request.by,
      via: request.via,
      reason: request.reason,
      at: now.toISOString(),
    };
    const { recorded } = await tx.recordApproval(approval);
    const approvers = new Set(
      (await tx.approvals(plan.id)).filter((a) => a.decision === 'approve').map((a) => a.by),
    ).size;
    const counted = { ...base, approvals: approvers };
    if (!recorded) {
      await tx.appendAudit([audit('approval.ignored', { reason: 'already recorded' })], now);
      return { ...counted, status: 'duplicate', reason: 'already recorded', incidentState: incident.state };
    }
    await tx.appendAudit([audit('approval.recorded', { reason: request.reason, approvals: approvers })], now);
    const decided =
      request.decision === 'reject' ? 'rejected' : approvers >= plan.verdict.approvers ? 'approved' : null;
    if (!decided) return { ...counted, status: 'waiting', reason: null, incidentState: incident.state };
    assertTransition(incident.state, decided);
    await tx.updateIncident({ ...incident, state: decided, updatedAt: now.toISOString() });
    await tx.appendAudit([audit(`incident.${decided}`, { approvals: approvers })], now);
    return { ...counted, status: decided, reason: null, incidentState: decided };
  });
  if (outcome.status === 'approved' && plan) await deps.stages?.enqueue('execute', incidentId, plan.id);
  deps.logger.info(
    { incident: incidentId, stage: 'approve', by: request.by, via: request.via, ...outcome },
    'approval decision',
  );
  return outcome;
}
