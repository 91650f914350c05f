import type { Series } from './signals.js';

export interface SignalSummary {
  signal: string;
  labels: Record<string, string>;
  last: number;
  min: number;
  max: number;
  /** Least-squares slope over the window, per minute. */
  slopePerMinute: number;
  /** Mean over the baseline window before the incident; null without baseline samples. */
  baselineMean: number | null;
  /** (last − baselineMean) / |baselineMean|; null without a usable baseline. */
  changeRatio: number | null;
  /** The matching limit or request series' last value, and last as a fraction of it. */
  reference: { signal: string; value: number } | null;
  ratioToReference: number | null;
  samples: number;
}

// A usage signal and the signals it is judged against, most binding first.
const references: Record<string, string[]> = {
  memory_working_set_bytes: ['memory_limit_bytes', 'memory_request_bytes'],
  cpu_usage_cores: ['cpu_limit_cores', 'cpu_request_cores'],
  replicas_available: ['replicas_desired'],
  hpa_current_replicas: ['hpa_max_replicas'],
  db_connections_in_use: ['db_connections_max'],
};

function slope(points: ReadonlyArray<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [t, v] of points) {
    const x = t / 60_000;
    sx += x;
    sy += v;
    sxx += x * x;
    sxy += x * v;
  }
  const denominator = n * sxx - sx * sx;
  return denominator === 0 ? 0 : (n * sxy - sx * sy) / denominator;
}

const sameScope = (a: Record<string, string>, b: Record<string, string>) =>
  ['namespace', 'pod', 'container', 'node'].every(
    (key) => a[key] === undefined || b[key] === undefined || a[key] === b[key],
  );

/**
 * Condenses each series to the numbers an engineer reads first. `incidentStart` splits the baseline
 * (before) from the window (from then on).
 */
export function summariseSignals(series: readonly Series[], incidentStart: number): SignalSummary[] {
  const summaries: SignalSummary[] = [];
  for (const one of series) {
    const window = one.points.filter(([t]) => t >= incidentStart);
    const baseline = one.points.filter(([t]) => t < incidentStart);
    const inWindow = window.length > 0 ? window : one.points;
    const lastPoint = inWindow.at(-1);
    if (!lastPoint) continue;
    const values = inWindow.map(([, v]) => v);
    const baselineMean =
      baseline.length > 0 ? baseline.reduce((sum, [, v]) => sum + v, 0) / baseline.length : null;
    const last = lastPoint[1];
    let reference: SignalSummary['reference'] = null;
    for (const candidate of references[one.signal] ?? []) {
      const match = series.find((other) => other.signal === candidate && sameScope(one.labels, other.labels));
      const value = match?.points.at(-1)?.[1];
      if (value !== undefined && value > 0) {
        reference = { signal: candidate, value };
        break;
      }
    }
    summaries.push({
      signal: one.signal,
      labels: one.labels,
      last,
      min: Math.min(...values),
      max: Math.max(...values),
      slopePerMinute: slope(inWindow),
      baselineMean,
      changeRatio:
        baselineMean !== null && baselineMean !== 0 ? (last - baselineMean) / Math.abs(baselineMean) : null,
      reference,
      ratioToReference: reference ? last / reference.value : null,
      samples: one.points.length,
    });
  }
  return summaries;
}

/** How far a summary is from normal, for ordering under a size budget. */
export function signalSalience(summary: SignalSummary): number {
  const nearLimit = summary.ratioToReference !== null ? Math.max(0, summary.ratioToReference - 0.5) * 4 : 0;
  const change = summary.changeRatio !== null ? Math.min(Math.abs(summary.changeRatio), 10) : 0;
  const counter = /restarts|oom_kills/.test(summary.signal) && summary.max > summary.min ? 3 : 0;
  return nearLimit + change + counter;
}
