import type { Incident } from '../../domain/incident.js';
import type { Approval, Execution, Plan } from '../../domain/plan.js';
import { escapeMrkdwn, mention } from './escape.js';

/** How an approver is shown: a Slack mention for Slack clicks, the configured name otherwise. */
export function personLabel(by: string): string {
  const slack = /^slack:([A-Z0-9]+):/.exec(by);
  return slack?.[1] ? mention(slack[1]) : escapeMrkdwn(by);
}

export function isExpired(incident: Incident, plan: Plan, now: Date): boolean {
  return incident.state === 'awaiting-approval' && now.getTime() > Date.parse(plan.expiresAt);
}

function approvedBy(approvals: readonly Approval[]): string {
  const people = [...new Set(approvals.filter((a) => a.decision === 'approve').map((a) => a.by))];
  return people.length > 0 ? ` by ${people.map(personLabel).join(', ')}` : '';
}

/** The card's one-line status, following the incident to its end. */
export function statusLine(
  incident: Incident,
  plan: Plan,
  approvals: readonly Approval[],
  execution: Execution | null,
  now: Date,
): string {
  const by = approvedBy(approvals);
  const count = new Set(approvals.filter((a) => a.decision === 'approve').map((a) => a.by)).size;
  switch (incident.state) {
    case 'awaiting-approval':
      if (isExpired(incident, plan, now)) return `⌛ *Expired* at ${plan.expiresAt}: no action was taken`;
      return count > 0
        ? `⏳ *Waiting for a second approver*: ${count} of ${plan.verdict.approvers}${by}`
        : `⏳ *Awaiting approval* (${plan.verdict.approvers} needed) until ${plan.expiresAt}`;
    case 'approved':
      return `👍 *Approved*${by}; queued to execute`;
    case 'rejected': {
      const rejecter = approvals.find((a) => a.decision === 'reject');
      return `🚫 *Rejected*${rejecter ? ` by ${personLabel(rejecter.by)}` : ''}: nothing will run`;
    }
    case 'executing':
      return `⚙️ *Executing* (approved${by})`;
    case 'verifying':
      return `🔎 *Verifying* (approved${by})`;
    case 'resolved':
      return execution ? `✅ *Verified*: the change worked (approved${by})` : '✅ *Resolved*';
    case 'rolled-back':
      return `⚠️ *Rolled back*: verification failed, the previous state was restored (approved${by})`;
    case 'failed':
      return `❌ *Failed*${execution?.error ? `: ${escapeMrkdwn(execution.error.slice(0, 300))}` : ''}`;
    case 'escalated':
      return '📣 *Escalated* to on-call: medic will not act';
    default:
      return `State: ${incident.state}`;
  }
}
