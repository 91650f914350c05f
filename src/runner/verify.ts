import type { Series, SignalTarget } from '../domain/evidence/signals.js';
import { isSignalName } from '../domain/evidence/signals.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { ObjectRef, VerifyCondition } from '../domain/playbook.js';
import type { MetricsSource, RangeWindow } from '../ports/metrics-source.js';

export type ConditionOutcome = 'pass' | 'fail' | 'unknown';

export interface ConditionResult {
  condition: VerifyCondition;
  outcome: ConditionOutcome;
  line: string;
}

export interface VerificationResult {
  passed: boolean;
  results: ConditionResult[];
  /** Human-readable, one per condition plus the decision. */
  lines: string[];
}

/** What the signals are about: the plan's target, narrowed to the container the plan names. */
export function signalTarget(target: ObjectRef | null, params: Record<string, unknown>): SignalTarget {
  const container = typeof params['container'] === 'string' ? { container: params['container'] } : {};
  if (!target) return {};
  if (target.kind === 'Node') return { node: target.name };
  const namespace = target.namespace === undefined ? {} : { namespace: target.namespace };
  if (target.kind === 'Pod') return { ...namespace, pod: target.name, ...container };
  if (target.kind === 'HorizontalPodAutoscaler') return namespace;
  return { ...namespace, workload: target.name, ...container };
}

/** A deleted pod comes back under a new name, so a Pod target is judged at its controller's workload. */
export function verificationTarget(
  target: ObjectRef | null,
  params: Record<string, unknown>,
  preState: readonly KubeObject[],
): SignalTarget {
  if (target?.kind !== 'Pod') return signalTarget(target, params);
  const pod = preState.find((o) => o.kind === 'Pod' && o.metadata.name === target.name);
  const owner = pod?.metadata.ownerReferences?.find((r) => r.controller !== false);
  if (!pod || !owner) return signalTarget(target, params);
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const workload =
    owner.kind === 'ReplicaSet' && hash !== undefined && owner.name.endsWith(`-${hash}`)
      ? owner.name.slice(0, -(hash.length + 1))
      : owner.name;
  return target.namespace === undefined ? { workload } : { namespace: target.namespace, workload };
}

const conditionName = (c: VerifyCondition): string => c.signal ?? c.promql ?? 'condition';

const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(4));

function seriesLabel(series: Series): string {
  const who = series.labels['pod'] ?? series.labels['node'] ?? series.labels['container'];
  return who === undefined ? '' : ` (${who})`;
}

/** One series against one condition; null when it holds, else why not. */
function violation(condition: VerifyCondition, series: Series): string | null {
  const first = series.points[0]?.[1];
  const last = series.points.at(-1)?.[1];
  if (first === undefined || last === undefined) return null;
  switch (condition.condition) {
    case 'not-increasing':
      return last <= first ? null : `rose from ${fmt(first)} to ${fmt(last)}${seriesLabel(series)}`;
    case 'below':
      return condition.threshold === null || last < condition.threshold
        ? null
        : `is ${fmt(last)}, not below ${fmt(condition.threshold)}${seriesLabel(series)}`;
    case 'above':
      return condition.threshold === null || last > condition.threshold
        ? null
        : `is ${fmt(last)}, not above ${fmt(condition.threshold)}${seriesLabel(series)}`;
  }
}

async function query(
  condition: VerifyCondition,
  metrics: MetricsSource,
  target: SignalTarget,
  window: RangeWindow,
): Promise<Series[]> {
  if (condition.signal !== null) {
    return isSignalName(condition.signal) ? metrics.signals([condition.signal], target, window) : [];
  }
  return condition.promql === null ? [] : metrics.expression(condition.promql, window);
}

async function evaluate(
  condition: VerifyCondition,
  metrics: MetricsSource | null,
  target: SignalTarget,
  end: Date,
  stepSeconds: number,
): Promise<ConditionResult> {
  const name = conditionName(condition);
  const what = `${name} ${condition.condition}${condition.threshold === null ? '' : ` ${condition.threshold}`} over ${condition.windowSeconds}s`;
  if (!metrics)
    return { condition, outcome: 'unknown', line: `unknown: ${what}: no metrics source configured` };
  const window = { start: new Date(end.getTime() - condition.windowSeconds * 1000), end, stepSeconds };
  let series: Series[];
  try {
    series = (await query(condition, metrics, target, window)).filter((s) => s.points.length > 0);
  } catch (error) {
    return {
      condition,
      outcome: 'unknown',
      line: `unknown: ${what}: query failed: ${(error as Error).message}`,
    };
  }
  if (series.length === 0) return { condition, outcome: 'unknown', line: `unknown: ${what}: no data` };
  const problems = series.map((s) => violation(condition, s)).filter((p): p is string => p !== null);
  if (problems.length > 0)
    return { condition, outcome: 'fail', line: `failed: ${what}: ${name} ${problems.join('; ')}` };
  return { condition, outcome: 'pass', line: `passed: ${what} (${series.length} series)` };
}

/**
 * Evaluates the playbook's conditions over windows ending at `end`. Any failed condition fails the
 * verification. A condition without data is reported as unknown and does not fail it: the caller only
 * verifies after the change applied (and rolled out), so missing telemetry alone is no reason to undo it.
 */
export async function verifyConditions(
  conditions: readonly VerifyCondition[],
  metrics: MetricsSource | null,
  target: SignalTarget,
  end: Date,
  stepSeconds = 60,
): Promise<VerificationResult> {
  const results = await Promise.all(conditions.map((c) => evaluate(c, metrics, target, end, stepSeconds)));
  const failed = results.filter((r) => r.outcome === 'fail').length;
  const unknown = results.filter((r) => r.outcome === 'unknown').length;
  const lines = results.map((r) => r.line);
  if (failed > 0) lines.push(`verification failed: ${failed} of ${results.length} conditions did not hold`);
  else if (results.length === 0) lines.push('verification passed: the playbook has no verify conditions');
  else if (unknown > 0) {
    lines.push(
      `verification passed with a note: ${unknown} of ${results.length} conditions had no data; the change applied and rolled out`,
    );
  } else lines.push(`verification passed: ${results.length} conditions held`);
  return { passed: failed === 0, results, lines };
}
