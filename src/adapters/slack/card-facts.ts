import type { EvidenceBundle } from '../../domain/evidence/bundle.js';
import { type SignalSummary, signalSalience } from '../../domain/evidence/signal-summary.js';
import type { SimilarRecord } from '../../ports/incident-store.js';
import { escapeMrkdwn } from './escape.js';

const MAX_HIGHLIGHTS = 5;

function amount(signal: string, value: number): string {
  if (signal.endsWith('_bytes')) {
    const mi = value / 1024 / 1024;
    return mi >= 1024 ? `${(mi / 1024).toFixed(1)}Gi` : `${Math.round(mi)}Mi`;
  }
  if (signal.endsWith('_cores')) return `${value.toFixed(2)} cores`;
  if (signal.endsWith('_ratio')) return `${(value * 100).toFixed(1)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const referenceWord = (signal: string) =>
  signal.includes('limit') ? 'limit' : signal.includes('request') ? 'request' : signal.replaceAll('_', ' ');

function scopeOf(labels: Record<string, string>): string {
  const where = labels['pod'] ?? labels['container'] ?? labels['node'];
  return where ? ` (${where})` : '';
}

function signalLine(summary: SignalSummary, windowMinutes: number): string {
  const name = summary.signal.replaceAll('_', ' ');
  const scope = scopeOf(summary.labels);
  if (/restarts|oom_kills/.test(summary.signal) && summary.max > summary.min) {
    return `${name}: +${amount(summary.signal, summary.max - summary.min)} in ${windowMinutes} min${scope}`;
  }
  if (summary.reference && summary.ratioToReference !== null) {
    const pct = Math.round(summary.ratioToReference * 100);
    return `${name}: ${amount(summary.signal, summary.last)} of ${amount(summary.reference.signal, summary.reference.value)} ${referenceWord(summary.reference.signal)} (${pct}%)${scope}`;
  }
  if (summary.baselineMean !== null && summary.changeRatio !== null) {
    const pct = Math.round(summary.changeRatio * 100);
    return `${name}: ${amount(summary.signal, summary.last)}, ${pct >= 0 ? '+' : ''}${pct}% vs baseline ${amount(summary.signal, summary.baselineMean)}${scope}`;
  }
  return `${name}: ${amount(summary.signal, summary.last)} (max ${amount(summary.signal, summary.max)})${scope}`;
}

/** The 3–5 facts with numbers an on-call engineer reads first, most telling first; escaped. */
export function evidenceHighlights(bundle: EvidenceBundle | null): string[] {
  if (!bundle) return [];
  const windowMinutes = Math.max(
    1,
    Math.round((Date.parse(bundle.window.end) - Date.parse(bundle.window.start)) / 60_000),
  );
  const lines: string[] = [];
  const signals = [...bundle.signals].sort((a, b) => signalSalience(b) - signalSalience(a));
  for (const summary of signals.slice(0, 3)) lines.push(signalLine(summary, windowMinutes));
  const restart = [...(bundle.cluster?.restarts ?? [])].sort((a, b) => b.restarts - a.restarts)[0];
  if (restart && restart.restarts > 0) {
    const reason = restart.lastReason ? `, last ${restart.lastReason}` : '';
    const exit = restart.lastExitCode !== null ? ` (exit ${restart.lastExitCode})` : '';
    lines.push(`${restart.pod}/${restart.container}: ${restart.restarts} restarts${reason}${exit}`);
  }
  const pattern = bundle.logs?.patterns[0];
  if (pattern) lines.push(`log ×${pattern.count}: ${pattern.template.slice(0, 160)}`);
  const warning = bundle.cluster?.warnings[0];
  if (warning) lines.push(`${warning.reason} ×${warning.count} on ${warning.object}`);
  return lines.slice(0, MAX_HIGHLIGHTS).map(escapeMrkdwn);
}

/** "What changed" in the window, newest last, escaped; at most five entries. */
export function changeLines(bundle: EvidenceBundle | null): string[] {
  return (bundle?.changes ?? []).slice(-5).map((change) => {
    const at = change.at.slice(11, 16);
    return escapeMrkdwn(`${at} ${change.kind}: ${change.what.slice(0, 200)}`);
  });
}

/** Similar past incidents and how they ended, escaped; at most three. */
export function similarLines(similar: SimilarRecord | null): string[] {
  return (similar?.matches ?? []).slice(0, 3).map((match) => {
    const params = Object.entries(match.action.params)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ');
    return escapeMrkdwn(
      `${match.at.slice(0, 10)} ${match.title.slice(0, 80)}: ${match.action.playbook}${params ? ` ${params}` : ''} → ${match.outcome} (score ${match.score.toFixed(2)})`,
    );
  });
}
