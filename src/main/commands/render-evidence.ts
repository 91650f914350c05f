import type { EvidenceBundle } from '../../domain/evidence/bundle.js';
import type { SignalSummary } from '../../domain/evidence/signal-summary.js';
import { table } from './render.js';

function quantity(signal: string, value: number): string {
  if (signal.endsWith('_bytes')) {
    const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
    let v = value;
    let unit = 0;
    while (Math.abs(v) >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit += 1;
    }
    return `${v.toFixed(v >= 100 ? 0 : 1)}${units[unit]}`;
  }
  if (signal.endsWith('_ratio')) return `${(value * 100).toFixed(1)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function scope(labels: Record<string, string>): string {
  return (
    [labels['pod'], labels['container'], labels['instance'] ?? labels['node']].filter(Boolean).join('/') ||
    '-'
  );
}

function signalRow(s: SignalSummary): string[] {
  const ref = s.reference
    ? `${quantity(s.signal, s.reference.value)} (${((s.ratioToReference ?? 0) * 100).toFixed(0)}%)`
    : '-';
  const change =
    s.changeRatio === null ? '-' : `${s.changeRatio >= 0 ? '+' : ''}${(s.changeRatio * 100).toFixed(0)}%`;
  return [s.signal, scope(s.labels), quantity(s.signal, s.last), quantity(s.signal, s.max), change, ref];
}

/** The evidence an on-call engineer reads first, as terminal text. */
export function renderEvidence(bundle: EvidenceBundle): string {
  const out: string[] = [];
  out.push(
    `Evidence (collected ${bundle.collectedAt}, window ${bundle.window.start} → ${bundle.window.end})`,
  );
  out.push(
    `Sources: ${bundle.sources.map((s) => `${s.source} ${s.state}${s.reason ? ` (${s.reason})` : ''}${s.ms ? ` ${s.ms}ms` : ''}`).join('; ')}`,
  );
  if (bundle.changes.length > 0) {
    out.push('\nWhat changed');
    out.push(
      table(
        ['at', 'kind', 'what'],
        bundle.changes.map((c) => [c.at, c.kind, c.what.slice(0, 100)]),
      ),
    );
  }
  if (bundle.signals.length > 0) {
    out.push('\nSignals');
    out.push(
      table(
        ['signal', 'scope', 'last', 'max', 'vs baseline', 'of limit/request'],
        bundle.signals.slice(0, 15).map(signalRow),
      ),
    );
  }
  const cluster = bundle.cluster;
  if (cluster && cluster.restarts.length > 0) {
    out.push('\nRestarts');
    out.push(
      table(
        ['pod', 'container', 'restarts', 'last reason', 'exit', 'waiting'],
        cluster.restarts
          .slice(0, 10)
          .map((r) => [r.pod, r.container, r.restarts, r.lastReason, r.lastExitCode, r.waitingReason]),
      ),
    );
  }
  if (cluster && cluster.warnings.length > 0) {
    out.push('\nWarning events');
    out.push(
      table(
        ['reason', 'object', 'count', 'message'],
        cluster.warnings.slice(0, 10).map((w) => [w.reason, w.object, w.count, w.message.slice(0, 80)]),
      ),
    );
  }
  if (bundle.logs && bundle.logs.patterns.length > 0) {
    out.push(`\nLog patterns (${bundle.logs.total} matching lines)`);
    out.push(
      table(
        ['count', 'level', 'last seen', 'template'],
        bundle.logs.patterns.slice(0, 10).map((p) => [p.count, p.level, p.lastSeen, p.template.slice(0, 90)]),
      ),
    );
  }
  if (bundle.traces && bundle.traces.errorOrigins.length > 0) {
    out.push('\nWhere errors originate (traces)');
    out.push(
      table(
        ['service', 'operation', 'errors'],
        bundle.traces.errorOrigins.slice(0, 5).map((o) => [o.service, o.operation, o.errors]),
      ),
    );
  }
  if (bundle.trimmed.length > 0) out.push(`\nTrimmed to fit the size budget: ${bundle.trimmed.join(', ')}`);
  return out.join('\n');
}
