import type { Policy } from './policy-schema.js';

export interface ApproverIdentity {
  name?: string;
  slackUser?: string;
  slackGroups?: string[];
}

/** Whether this identity may approve; with no approvers configured, anyone authenticated may. */
export function isApprover(policy: Policy, identity: ApproverIdentity): boolean {
  const { names, slackUsers, slackGroups } = policy.approvals.approvers;
  if (names.length === 0 && slackUsers.length === 0 && slackGroups.length === 0) {
    return Boolean(identity.name || identity.slackUser);
  }
  if (identity.name && names.includes(identity.name)) return true;
  if (identity.slackUser && slackUsers.includes(identity.slackUser)) return true;
  return (identity.slackGroups ?? []).some((group) => slackGroups.includes(group));
}
