import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Series, SignalName, SignalTarget } from '../../domain/evidence/signals.js';
import type { MetricsSource, RangeWindow } from '../../ports/metrics-source.js';
import type { ReplayMetrics, ReplaySeries } from './parse.js';

/** Prometheus refuses range queries of more points than this; so does replay. */
export const maxPointsPerSeries = 11_000;

/** Labels that name a series' workload when it carries no pod label (workload-level signals). */
const workloadLabels = [
  'workload',
  'deployment',
  'statefulset',
  'daemonset',
  'service',
  'job',
  'app',
  // kafka_exporter names the consumer group, which the Prometheus catalog equates with the workload.
  'consumergroup',
] as const;

/**
 * Whether a series is about a target. A set field filters on the label of the same name and a
 * series without that label does not match, except `container` (pod- and workload-level signals
 * carry none) and `cluster` (a replay world is one cluster). `workload` matches pods named
 * `<workload>-…`, or a series whose workload/deployment/statefulset/daemonset/service/job/app/consumergroup
 * label equals it.
 */
export function seriesMatchesTarget(labels: Record<string, string>, target: SignalTarget): boolean {
  const strict = (key: 'namespace' | 'pod' | 'node'): boolean =>
    target[key] === undefined || labels[key] === target[key];
  const lenient = (key: 'container' | 'cluster'): boolean =>
    target[key] === undefined || labels[key] === undefined || labels[key] === target[key];
  if (!strict('namespace') || !strict('pod') || !strict('node')) return false;
  if (!lenient('container') || !lenient('cluster')) return false;
  const workload = target.workload;
  if (workload === undefined) return true;
  const pod = labels['pod'];
  if (pod !== undefined) return pod.startsWith(`${workload}-`);
  return workloadLabels.some((key) => labels[key] === workload);
}

/** [ms, value] samples of one series, ending at `now`, gaps and NaN dropped. */
export function samplesOf(series: ReplaySeries, intervalMs: number, now: Date): Array<[number, number]> {
  const last = series.values.length - 1;
  const out: Array<[number, number]> = [];
  series.values.forEach((value, i) => {
    if (value === null || Number.isNaN(value)) return;
    out.push([now.getTime() - (last - i) * intervalMs, value]);
  });
  return out;
}

/**
 * Evaluates samples as a Prometheus range query would: one point a step from `start` to `end`,
 * each the newest sample at or before it within the lookback, no point where there is none.
 */
export function resample(
  samples: ReadonlyArray<[number, number]>,
  window: RangeWindow,
  lookbackMs: number,
): Array<[number, number]> {
  const stepMs = Math.round(window.stepSeconds * 1000);
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (!(stepMs > 0) || (end - start) / stepMs > maxPointsPerSeries) {
    throw new MedicError(
      ErrorCodes.badRequest,
      `replay metrics: a step of ${window.stepSeconds}s over this window exceeds ${maxPointsPerSeries} points a series`,
    );
  }
  const out: Array<[number, number]> = [];
  let cursor = 0;
  for (let t = start; t <= end; t += stepMs) {
    while (cursor < samples.length && (samples[cursor]?.[0] ?? Number.POSITIVE_INFINITY) <= t) cursor++;
    const latest = samples[cursor - 1];
    if (latest !== undefined && t - latest[0] < lookbackMs) out.push([t, latest[1]]);
  }
  return out;
}

/**
 * MetricsSource over a case's metrics.yaml. Series end at the case's `now`. With a window step of
 * the file's interval and a window ending on a sample, points are the samples themselves; other
 * steps are evaluated like a range query with a lookback of one interval, so `_` stays a gap.
 */
export class ReplayMetricsSource implements MetricsSource {
  constructor(
    private readonly metrics: ReplayMetrics,
    private readonly now: Date,
  ) {}

  async signals(names: readonly SignalName[], target: SignalTarget, window: RangeWindow): Promise<Series[]> {
    const wanted = new Set<string>(names);
    const out: Series[] = [];
    for (const series of this.metrics.series) {
      if (!wanted.has(series.signal) || !seriesMatchesTarget(series.labels, target)) continue;
      const samples = samplesOf(series, this.metrics.intervalMs, this.now);
      const points = resample(samples, window, this.metrics.intervalMs);
      if (points.length > 0) out.push({ signal: series.signal, labels: { ...series.labels }, points });
    }
    return out;
  }

  /** No PromQL engine in replay: an alert's own expression has no data. */
  async expression(_promql: string, _window: RangeWindow): Promise<Series[]> {
    return [];
  }
}
