import type { Plan } from '../domain/plan.js';

/**
 * Where people are asked to approve a plan (Slack today). Both calls only schedule work: a channel
 * that is down must never block the pipeline, and the incident stays approvable over HTTP and the CLI.
 */
export interface ApprovalChannel {
  /** Asks for approval of a plan that waits for people (posts the card, now or when the channel is back). */
  requestApproval(plan: Plan): Promise<void>;
  /** The incident moved (approved, executing, verified, rolled back, ...): bring its card up to date. */
  incidentChanged(incidentId: string): Promise<void>;
}

/** A decision taken in a channel, in the shape the approval pipeline accepts. */
export interface ChannelDecisionRequest {
  decision: 'approve' | 'reject';
  by: string;
  via: 'slack';
  reason: string | null;
  slackUser?: string;
  slackGroups?: string[];
  /** The plan the person saw; a decision on any other plan is refused. */
  planId?: string;
}

export interface ChannelDecisionOutcome {
  status: 'approved' | 'waiting' | 'rejected' | 'duplicate' | 'refused';
  planId: string | null;
  reason: string | null;
  approvals: number;
  required: number;
  incidentState: string;
}

/** Runs one decision under the approval rules (approver list, TTL, k distinct approvers, idempotency). */
export type ChannelDecide = (
  incidentId: string,
  request: ChannelDecisionRequest,
) => Promise<ChannelDecisionOutcome>;

/** One button click on an approval card, verified and parsed by the HTTP route. */
export interface ChannelClick {
  action: 'approve' | 'reject' | 'escalate';
  incidentId: string;
  planId: string;
  user: { id: string; username: string };
  /** Where the card is (the click's channel and message), for thread replies and ephemeral notes. */
  channel: string | null;
  messageTs: string | null;
}

/** The action ids of the card's buttons; the card and the interaction route share them. */
export const cardActionIds: Record<ChannelClick['action'], string> = {
  approve: 'medic_approve',
  reject: 'medic_reject',
  escalate: 'medic_escalate',
};
