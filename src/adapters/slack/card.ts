import type { EvidenceBundle } from '../../domain/evidence/bundle.js';
import type { Incident } from '../../domain/incident.js';
import type { Approval, Execution, Plan } from '../../domain/plan.js';
import { cardActionIds } from '../../ports/approval-channel.js';
import type { SimilarRecord } from '../../ports/incident-store.js';
import { changeLines, evidenceHighlights, similarLines } from './card-facts.js';
import { isExpired, statusLine } from './card-status.js';
import { clip, escapeCode, escapeMrkdwn } from './escape.js';

/** Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  value: 2000,
  actionId: 255,
} as const;

export const ACTIONS = cardActionIds;

export interface CardView {
  incident: Incident;
  plan: Plan;
  evidence: EvidenceBundle | null;
  similar: SimilarRecord | null;
  approvals: Approval[];
  execution: Execution | null;
  now: Date;
}

export interface Card {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const severityIcon: Record<string, string> = { critical: '🔴', error: '🟠', high: '🟠', warning: '🟡' };
const DIFF_BUDGET = LIMITS.sectionText - 40;

const section = (text: string) => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) },
});
const bullets = (lines: string[], none: string) =>
  lines.length > 0 ? lines.map((line) => `• ${line}`).join('\n') : `_${none}_`;

function workloadOf(incident: Incident, plan: Plan): string {
  const target = plan.target ?? incident.workload;
  if (!target) return incident.namespace ?? incident.cluster;
  const ns = 'namespace' in target && target.namespace ? target.namespace : incident.namespace;
  return `${target.kind} ${ns ? `${ns}/` : ''}${target.name}`;
}

/** The dry-run diffs, keeping changed lines over context when they do not all fit. */
export function trimmedDiff(plan: Plan): string {
  const full = plan.dryRun
    .map((result) => (result.ok ? result.diff : `dry-run refused: ${result.message ?? 'unknown'}`))
    .join('\n')
    .trimEnd();
  if (full === '') return '(no change)';
  const escaped = escapeCode(full);
  if (escaped.length <= DIFF_BUDGET) return escaped;
  const lines = full.split('\n');
  const changed = lines.filter((line) => /^(@@|\+|-)/.test(line));
  const hidden = lines.length - changed.length;
  const note = hidden > 0 ? `\n(${hidden} unchanged lines hidden)` : '';
  return clip(escapeCode(changed.join('\n')), DIFF_BUDGET - note.length, '\n… (diff cut)') + note;
}

function params(plan: Plan): string {
  const entries = Object.entries(plan.params);
  if (entries.length === 0) return '(none)';
  return escapeMrkdwn(entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', '));
}

function buttons(plan: Plan, workload: string): Record<string, unknown> {
  const value = JSON.stringify({ incidentId: plan.incidentId, planId: plan.id }).slice(0, LIMITS.value);
  const needs = plan.verdict.approvers > 1 ? ` (${plan.verdict.approvers} approvers needed)` : '';
  return {
    type: 'actions',
    block_id: 'medic_decision',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.approve,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value,
        confirm: {
          title: { type: 'plain_text', text: 'Run this playbook?' },
          text: {
            type: 'mrkdwn',
            text: clip(
              `medic will run *${escapeMrkdwn(plan.playbook)}* on ${escapeMrkdwn(workload)}${needs}.`,
              300,
            ),
          },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      {
        type: 'button',
        action_id: ACTIONS.reject,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject' },
        value,
      },
      { type: 'button', action_id: ACTIONS.escalate, text: { type: 'plain_text', text: 'Escalate' }, value },
    ],
  };
}

/** The approval card: everything needed to decide from a phone, within Block Kit limits. */
export function buildCard(view: CardView): Card {
  const { incident, plan } = view;
  const severity = incident.severity ?? 'unknown';
  const workload = workloadOf(incident, plan);
  const title = clip(
    `${severityIcon[severity] ?? '⚪'} ${severity.toUpperCase()} · ${workload} · ${incident.title}`,
    LIMITS.header,
  );
  const status = statusLine(incident, plan, view.approvals, view.execution, view.now);
  const confidence = Math.round(plan.draft.confidence * 100);
  const reasons = plan.verdict.reasons.map(escapeMrkdwn);
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    section(status),
    section(
      `*Diagnosis* (confidence ${confidence}%)\n${escapeMrkdwn(plan.draft.diagnosis)}\n_${escapeMrkdwn(clip(plan.draft.rationale, 600))}_`,
    ),
    section(`*Evidence*\n${bullets(evidenceHighlights(view.evidence), 'no evidence was collected')}`),
    section(
      `*What changed*\n${bullets(changeLines(view.evidence), 'no deploys, config or scaling changes')}`,
    ),
    section(`*Similar past incidents*\n${bullets(similarLines(view.similar), 'none found in memory')}`),
    {
      type: 'section',
      fields: [
        `*Playbook*\n${escapeMrkdwn(plan.playbook)}`,
        `*Target*\n${escapeMrkdwn(workload)}`,
        `*Parameters*\n${params(plan)}`,
        `*Risk*\n${plan.verdict.risk}`,
        `*Verdict*\n${plan.verdict.decision} (${plan.verdict.approvers} approver${plan.verdict.approvers === 1 ? '' : 's'})`,
      ].map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.field) })),
    },
    section(`*Policy*\n${bullets(reasons, 'no rule spoke')}`),
    section(`*Dry-run diff*\n\`\`\`${trimmedDiff(plan)}\`\`\``),
  ];
  if (incident.state === 'awaiting-approval' && !isExpired(incident, plan, view.now))
    blocks.push(buttons(plan, workload));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: escapeMrkdwn(`${incident.id} · plan ${plan.id} · expires ${plan.expiresAt}`),
      },
    ],
  });
  const summary = escapeMrkdwn(
    `${severity.toUpperCase()} ${workload}: ${plan.playbook} proposed (risk ${plan.verdict.risk}).`,
  );
  // The status line is already escaped; only its emphasis marks are dropped for notifications.
  const text = clip(`${summary} ${status.replace(/\*/g, '')}`, LIMITS.sectionText);
  return { text, blocks: blocks.slice(0, LIMITS.blocks) };
}
