import type { AuditEvent } from '../../domain/audit.js';
import type { DraftRecord } from '../../domain/draft.js';
import type { Plan } from '../../domain/plan.js';
import type { SimilarRecord } from '../../ports/incident-store.js';
import { table } from '../commands/render.js';

export const heading = (text: string): string => `\n== ${text} ${'='.repeat(Math.max(3, 72 - text.length))}\n`;

const refText = (ref: { kind: string; namespace?: string | undefined; name: string } | null): string =>
  ref ? `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}` : '-';

const paramsText = (params: Record<string, unknown>): string =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ') || '-';

function fields(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

export function renderSimilar(similar: SimilarRecord | null): string {
  if (!similar || similar.matches.length === 0) return '  No similar past incidents.';
  return table(
    ['past incident', 'score', 'outcome', 'title'],
    similar.matches.slice(0, 5).map((m) => [m.incidentId, m.score.toFixed(3), m.outcome, m.title]),
  );
}

export function renderDraft(record: DraftRecord): string {
  const { draft } = record;
  const rows: Array<[string, string]> = [
    ['diagnosis', draft.diagnosis],
    ['confidence', `${Math.round(draft.confidence * 100)}%`],
    ['playbook', draft.playbook],
    ['target', refText(draft.target)],
    ['params', paramsText(draft.params)],
    ['rationale', draft.rationale || '-'],
    ['drafter', record.drafter.name],
  ];
  for (const note of draft.risk_notes) rows.push(['risk note', note]);
  return fields(rows);
}

export function renderPlan(plan: Plan): string {
  const { verdict } = plan;
  const out = [
    fields([
      ['decision', verdict.decision],
      ['risk', verdict.risk],
      ['approvers', String(verdict.approvers)],
      ['expires', plan.expiresAt],
    ]),
  ];
  if (verdict.reasons.length > 0) out.push(verdict.reasons.map((r) => `  - ${r}`).join('\n'));
  for (const result of plan.dryRun) {
    const outcome = result.ok ? 'accepted' : `refused: ${result.message ?? 'no reason given'}`;
    out.push(`\nServer-side dry-run of ${refText(result.ref)}: ${outcome}`);
    if (result.diff.trim() !== '') out.push(result.diff.trimEnd());
    else if (result.ok) out.push('  (no change)');
  }
  return out.join('\n');
}

const str = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** One line per audit event type an on-call engineer cares about; anything else shows its plain fields. */
export function summarise(event: AuditEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'incident.opened':
      return str(d['title']);
    case 'alerts.received':
      return `${str(d['count'])} alert(s), ${str(d['firing'])} firing: ${list(d['alertnames']).join(', ')}`;
    case 'evidence.collected':
      return `${str(d['signals'])} signals, ${str(d['logPatterns'])} log patterns, ${str(d['changes'])} changes`;
    case 'similar.retrieved': {
      const matches = list(d['matches']) as Array<{ incident: string; score: number; outcome: string }>;
      const top = matches.slice(0, 3).map((m) => `${m.incident} ${m.score.toFixed(2)} ${m.outcome}`);
      return matches.length === 0 ? 'no similar incidents' : `${matches.length} similar: ${top.join('; ')}`;
    }
    case 'draft.proposed':
      return `${str(d['playbook'])} ${paramsText((d['params'] ?? {}) as Record<string, unknown>)} (${Math.round(Number(d['confidence']) * 100)}%)`;
    case 'guard.verdict':
      return `${str(d['decision'])}, risk ${str(d['risk'] ?? '-')}, ${str(d['approvers'])} approver(s)`;
    case 'approval.recorded':
    case 'approval.refused':
    case 'approval.ignored':
      return `${str(d['decision'])} by ${str(d['by'])} via ${str(d['via'])}${d['reason'] ? `: ${str(d['reason'])}` : ''}`;
    case 'execution.started':
      return `${str(d['playbook'])} on ${str(d['target'])}, ${str(d['steps'])} step(s)`;
    case 'execution.step.applied':
      return `step ${str(d['step'])}: ${str(d['action'])} ${str(d['object'])} (${str(d['outcome'])})`;
    default: {
      const lines = list(d['lines']);
      if (lines.length > 0) return `${str(d['outcome'] ?? '')} ${lines.map(str).join('; ')}`.trim();
      return Object.entries(d)
        .filter(([key, value]) => key !== 'plan' && value !== null && typeof value !== 'object')
        .map(([key, value]) => `${key}=${str(value)}`)
        .join(' ');
    }
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function renderTimeline(events: readonly AuditEvent[]): string {
  return table(
    ['time (UTC)', 'actor', 'event', 'summary'],
    events.map((e) => [e.at.slice(11, 19), e.actor, e.type, clip(summarise(e), 90)]),
  );
}
