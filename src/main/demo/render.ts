import Table from 'cli-table3';
import type { AuditEvent } from '../../domain/audit.js';
import type { DraftRecord } from '../../domain/draft.js';
import type { Plan } from '../../domain/plan.js';
import type { SimilarRecord } from '../../ports/incident-store.js';

/** A borderless-between-rows table, so a long timeline stays one line per event. */
function table(head: string[], rows: string[][]): string {
  const out = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) out.push(row);
  return out.toString();
}

export const heading = (text: string): string =>
  `\n== ${text} ${'='.repeat(Math.max(3, 72 - text.length))}\n`;

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
    // The diff library's "=====" separator line says nothing a reader needs.
    const diff = result.diff.replace(/^=+\n/m, '').trimEnd();
    if (diff !== '') out.push(diff);
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
    case 'evidence.source':
      return `${str(d['source'])} ${str(d['state'])}${d['reason'] ? ` (${str(d['reason'])})` : ''}${typeof d['ms'] === 'number' ? ` in ${d['ms']}ms` : ''}`;
    case 'incident.approved':
    case 'incident.rejected':
      return `${str(d['approvals'])} approval(s)`;
    case 'execution.started':
      return `${str(d['playbook'])} on ${str(d['target'])}, ${str(d['steps'])} step(s)`;
    case 'execution.step.applied':
      return `step ${str(d['step'])}: ${str(d['action'])} ${str(d['object'])} (${str(d['outcome'])})`;
    default: {
      const lines = list(d['lines']);
      if (lines.length > 0) return lines.map(str).join('; ');
      return Object.entries(d)
        .filter(([key, value]) => key !== 'plan' && value !== null && typeof value !== 'object')
        .map(([key, value]) => `${key}=${str(value)}`)
        .join(' ');
    }
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Fits the terminal (160 columns when not one, as in CI logs): the summary column takes what the others leave. */
export function renderTimeline(
  events: readonly AuditEvent[],
  columns = process.stdout.columns ?? 160,
): string {
  const widest = (pick: (e: AuditEvent) => string, title: string) =>
    Math.max(title.length, ...events.map((e) => pick(e).length));
  const fixed = 8 + widest((e) => e.actor, 'actor') + widest((e) => e.type, 'event') + 13;
  const room = Math.max(30, columns - fixed);
  return table(
    ['time', 'actor', 'event', 'summary'],
    events.map((e) => [e.at.slice(11, 19), e.actor, e.type, clip(summarise(e), room)]),
  );
}
