import type { Change } from './changes.js';
import type { ClusterFacts } from './cluster-facts.js';
import { type SignalSummary, signalSalience } from './signal-summary.js';
import type { TraceSummary } from './trace-summary.js';

export type SourceName = 'metrics' | 'logs' | 'traces' | 'kubernetes';

export interface SourceReport {
  source: SourceName;
  /** unconfigured: no adapter; unavailable: configured but down, slow or answering garbage. */
  state: 'ok' | 'unavailable' | 'unconfigured';
  reason: string | null;
  ms: number;
}

export interface LogPatternEvidence {
  template: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  level: string | null;
  sample: string;
}

export interface EvidenceBundle {
  incidentId: string;
  collectedAt: string;
  window: { baselineStart: string; start: string; end: string };
  sources: SourceReport[];
  signals: SignalSummary[];
  alertExpression: { expr: string; series: SignalSummary[] } | null;
  logs: { total: number; patterns: LogPatternEvidence[] } | null;
  traces: TraceSummary | null;
  cluster: ClusterFacts | null;
  changes: Change[];
  /** What the size budget cut, so a reader knows the bundle is partial. */
  trimmed: string[];
}

const LEVEL_RANK: Record<string, number> = {
  fatal: 5,
  critical: 5,
  panic: 5,
  error: 4,
  err: 4,
  warn: 3,
  warning: 3,
};

export function sizeOf(bundle: EvidenceBundle): number {
  return JSON.stringify(bundle).length;
}

type Trim = (bundle: EvidenceBundle) => string | null;

/** Each step removes the least informative remaining item of one kind, or returns null when it has none. */
const trims: Trim[] = [
  (b) => {
    const patterns = b.logs?.patterns;
    if (!patterns || patterns.length <= 3) return null;
    let victim = patterns.length - 1;
    for (let i = patterns.length - 1; i >= 0; i -= 1) {
      if ((LEVEL_RANK[patterns[i]?.level ?? ''] ?? 0) < 4) {
        victim = i;
        break;
      }
    }
    patterns.splice(victim, 1);
    return 'log pattern';
  },
  (b) => {
    if (!b.traces || b.traces.operations.length <= 5) return null;
    b.traces.operations.pop();
    return 'trace operation';
  },
  (b) => {
    if (b.signals.length <= 5) return null;
    let lowest = 0;
    b.signals.forEach((signal, i) => {
      if (signalSalience(signal) < signalSalience(b.signals[lowest] ?? signal)) lowest = i;
    });
    b.signals.splice(lowest, 1);
    return 'signal';
  },
  (b) => {
    if (!b.cluster || b.cluster.warnings.length <= 5) return null;
    b.cluster.warnings.pop();
    return 'warning event';
  },
  (b) => {
    if (!b.traces || b.traces.edges.length <= 5) return null;
    b.traces.edges.pop();
    return 'trace edge';
  },
  (b) => {
    if (!b.cluster || b.cluster.restarts.length <= 5) return null;
    b.cluster.restarts.pop();
    return 'container restart';
  },
  (b) => {
    const sample = b.logs?.patterns.find((pattern) => pattern.sample.length > 200);
    if (!sample) return null;
    sample.sample = `${sample.sample.slice(0, 200)}…`;
    return 'long log sample';
  },
];

/**
 * Cuts the bundle to `maxChars` of JSON, least informative first: quiet log patterns before error
 * ones, healthy operations and ordinary signals before those near a limit or far from baseline.
 */
export function fitToBudget(bundle: EvidenceBundle, maxChars: number): EvidenceBundle {
  const fitted = structuredClone(bundle);
  fitted.signals.sort((a, b) => signalSalience(b) - signalSalience(a));
  const cut = new Map<string, number>();
  while (sizeOf(fitted) > maxChars) {
    let progressed = false;
    for (const trim of trims) {
      const what = trim(fitted);
      if (what) {
        cut.set(what, (cut.get(what) ?? 0) + 1);
        progressed = true;
        break;
      }
    }
    if (!progressed) break;
  }
  fitted.trimmed = [...cut.entries()].map(([what, count]) => `${count} × ${what}`);
  return fitted;
}
