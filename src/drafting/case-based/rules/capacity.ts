import { isQuantity, parseQuantity, saneCpu, saneMemory } from '../../../domain/quantity.js';
import { type Candidate, candidate, escalation } from '../candidate.js';
import {
  type Facts,
  maxOf,
  mostCommon,
  recentRollout,
  signalRef,
  signals,
  warnings,
  workloadLabel,
  workloadTarget,
} from '../facts.js';
import { bytes, cores, percent, round } from '../format.js';
import { cpuLimitFor, grow } from '../sizing.js';
import { rollbackOrEscalate } from './rollback.js';

const INSUFFICIENT = /Insufficient (cpu|memory)|didn't have enough|Too many pods/i;

/** CPU use as a fraction of the limit, or of the request when there is no limit. */
function cpuSaturation(facts: Facts): number | null {
  const usage = signals(facts, 'cpu_usage_cores');
  const fromSignals = maxOf(usage, (s) => s.ratioToReference);
  if (fromSignals !== null) return fromSignals;
  // No limit or request series: judge usage against the pod template's own numbers.
  const containers = facts.cluster?.workload?.containers ?? [];
  return maxOf(usage, (s) => {
    const spec =
      containers.find((c) => c.name === s.labels['container']) ??
      (containers.length === 1 ? containers[0] : undefined);
    const bound = spec?.limits.cpu ?? spec?.requests.cpu;
    if (!bound || !isQuantity(bound)) return null;
    const cores = parseQuantity(bound);
    return cores > 0 ? s.last / cores : null;
  });
}

function hpaState(facts: Facts): { name: string; current: number; max: number; ref: string } | null {
  const atMax = facts.cluster?.hpasAtMax[0];
  if (atMax) return { ...atMax, ref: `cluster.hpasAtMax[${atMax.name}]` };
  const current = signals(facts, 'hpa_current_replicas');
  for (const summary of current) {
    const name = summary.labels['horizontalpodautoscaler'];
    const max = summary.reference?.signal === 'hpa_max_replicas' ? summary.reference.value : null;
    if (name && max !== null && summary.last >= max) {
      return { name, current: summary.last, max, ref: signalRef('hpa_current_replicas') };
    }
  }
  return null;
}

function hasHpa(facts: Facts): boolean {
  return (facts.cluster?.hpasAtMax.length ?? 0) > 0 || signals(facts, 'hpa_max_replicas').length > 0;
}

/** The autoscaler is pinned at its ceiling while pods are CPU-saturated: raise the ceiling. */
export function hpaAtMaxRule(facts: Facts): Candidate | null {
  const hpa = hpaState(facts);
  const saturation = cpuSaturation(facts);
  const throttled = maxOf(signals(facts, 'cpu_throttled_ratio'), (s) => s.last);
  if (!hpa || !facts.namespace) return null;
  const saturated = (saturation !== null && saturation >= 0.8) || (throttled !== null && throttled >= 0.25);
  const traffic = maxOf(signals(facts, 'http_requests_per_second'), (s) => s.changeRatio);
  const latency = maxOf(signals(facts, 'http_latency_p99_seconds'), (s) => s.changeRatio);
  const loadGrew = traffic !== null && traffic >= 0.5 && latency !== null && latency >= 0.5;
  if (!saturated && !loadGrew) return null;
  const maxReplicas = grow(hpa.max, 1.5);
  return candidate({
    rule: 'hpa-at-max',
    playbook: 'set-hpa-bounds',
    target: { kind: 'HorizontalPodAutoscaler', namespace: facts.namespace, name: hpa.name },
    params: { maxReplicas },
    score: 0.82,
    diagnosis: `HorizontalPodAutoscaler ${hpa.name} is at its maximum of ${hpa.max} replicas while pods of ${workloadLabel(facts)} run at ${
      saturation !== null
        ? `${percent(saturation)} of their CPU limit`
        : `${percent(throttled ?? 0)} CPU throttling`
    }.`,
    rationale: `${hpa.current} of at most ${hpa.max} replicas are running and CPU is saturated, so the autoscaler cannot add capacity. Raising maxReplicas to ${maxReplicas} (at most 2×) lets it scale; minReplicas stays as it is.`,
    refs: [
      hpa.ref,
      signalRef('cpu_usage_cores'),
      ...(throttled !== null ? [signalRef('cpu_throttled_ratio')] : []),
    ],
    risks: [
      `Up to ${maxReplicas - hpa.max} more pods need node capacity, and any shared dependency (database, queue) sees more load.`,
    ],
  });
}

/** Containers throttled at their CPU limit: raise the limit. */
export function cpuThrottlingRule(facts: Facts): Candidate | null {
  const throttledSignals = signals(facts, 'cpu_throttled_ratio');
  const throttled = maxOf(throttledSignals, (s) => s.last);
  if (throttled === null || throttled < 0.25) return null;
  const usage = signals(facts, 'cpu_usage_cores').filter((s) => s.reference?.signal === 'cpu_limit_cores');
  const limit =
    maxOf(usage, (s) => s.reference?.value ?? null) ??
    maxOf(signals(facts, 'cpu_limit_cores'), (s) => s.last);
  const peak = maxOf(usage, (s) => s.max);
  const target = workloadTarget(facts);
  const container =
    mostCommon(throttledSignals.map((s) => s.labels['container'] ?? '').filter((c) => c !== '')) ??
    mostCommon(usage.map((s) => s.labels['container'] ?? '').filter((c) => c !== ''));
  if (!target || limit === null || peak === null || !container) return null;
  const ratio = peak / limit;
  if (ratio < 0.8) return null;
  const newLimit = cpuLimitFor(peak, limit, throttled >= 0.5 ? 2 : 1.5);
  const requests = maxOf(signals(facts, 'cpu_request_cores', { container }), (s) => s.last);
  const params: Record<string, unknown> = { container, 'limits.cpu': newLimit };
  return candidate({
    rule: 'cpu-throttling',
    playbook: 'set-resources',
    target,
    params,
    score: hasHpa(facts) ? 0.72 : 0.8,
    diagnosis: `Container ${container} of ${workloadLabel(facts)} is CPU-throttled ${percent(throttled)} of the time at its ${cores(limit)} limit (peak use ${cores(peak)}).`,
    rationale: `CPU use peaks at ${cores(peak)}, ${percent(ratio)} of the ${cores(limit)} limit, and ${percent(throttled)} of scheduling periods are throttled, so the limit caps throughput. The new limit ${newLimit} is ${throttled >= 0.5 ? '2' : '1.5'}× the current one (at most 4×)${
      requests !== null ? `; the request stays at ${cores(requests)}` : ''
    }.`,
    refs: [signalRef('cpu_throttled_ratio'), signalRef('cpu_usage_cores'), signalRef('cpu_limit_cores')],
    risks: ['Pods restart with the new limit (rolling update); nodes must have the extra CPU to burst into.'],
  });
}

/** A queue's lag keeps growing while its consumers are saturated and nothing autoscales them. */
export function consumerLagRule(facts: Facts): Candidate | null {
  const lag = signals(facts, 'consumer_lag');
  const growing = lag.find((s) => s.slopePerMinute > 0 && (s.changeRatio === null || s.changeRatio >= 0.5));
  if (!growing || hasHpa(facts)) return null;
  const saturation = cpuSaturation(facts);
  if (saturation === null || saturation < 0.75) {
    return escalation(
      'consumer-lag-stuck',
      0.65,
      `Consumers of ${workloadLabel(facts)} fall behind (lag ${round(growing.last, 0)}, growing ${round(growing.slopePerMinute, 0)}/min) but are not CPU-bound${
        saturation !== null ? ` (${percent(saturation)} of their CPU)` : ''
      }.`,
      'Idle-looking consumers with growing lag point to a stuck consumer, a poison message, a rebalance loop or a slow downstream: more replicas would not drain the queue, so a human should look.',
      [signalRef('consumer_lag'), ...(saturation !== null ? [signalRef('cpu_usage_cores')] : [])],
    );
  }
  const target = workloadTarget(facts);
  const current =
    facts.cluster?.workload?.replicas ?? maxOf(signals(facts, 'replicas_desired'), (s) => s.last);
  if (!target || target.kind === 'DaemonSet' || current === null || current < 1) return null;
  const replicas = grow(current, 1.5);
  return candidate({
    rule: 'consumer-lag',
    playbook: 'scale',
    target,
    params: { replicas },
    score: 0.8,
    diagnosis: `Consumers of ${workloadLabel(facts)} fall behind: lag grows by ${round(growing.slopePerMinute, 0)}/min (now ${round(growing.last, 0)}) while they run at ${percent(saturation)} of their CPU.`,
    rationale: `Lag rose from ${round(growing.baselineMean ?? growing.min, 0)} to ${round(growing.last, 0)} with ${current} replicas saturated and no autoscaler; scaling to ${replicas} (at most 2×) adds consumers.`,
    refs: [signalRef('consumer_lag'), signalRef('cpu_usage_cores')],
    risks: [
      'Consumers beyond the topic’s partition count sit idle; more consumers also put more load on whatever they write to.',
    ],
  });
}

/** Pods that cannot be scheduled for lack of room: capacity is a human decision. */
export function pendingCapacityRule(facts: Facts): Candidate | null {
  const pending = (facts.cluster?.pendingPods ?? []).filter((p) => INSUFFICIENT.test(p.message ?? ''));
  const events = warnings(facts, /^FailedScheduling$/, INSUFFICIENT);
  if (pending.length === 0 && events.length === 0) return null;
  const recent = recentRollout(facts, 60);
  const raisedRequests = recent?.current.templateChanges.filter((p) => /\/resources\/requests/.test(p)) ?? [];
  if (
    recent &&
    raisedRequests.length > 0 &&
    pending.length > 0 &&
    pending.every((p) => p.pod.startsWith(`${recent.current.replicaSet}-`))
  ) {
    return rollbackOrEscalate(
      facts,
      'pending-after-rollout',
      0.85,
      `Pods of revision ${recent.current.revision} of ${workloadLabel(facts)} cannot be scheduled: the rollout ${recent.current.ageMinutes} minutes ago changed their resource requests and no node fits them.`,
      `${pending.length} pending pod(s), all of the new ReplicaSet ${recent.current.replicaSet}, report ${pending[0]?.message ?? 'insufficient resources'}; the rollout changed ${raisedRequests.slice(0, 3).join(', ')}, while the previous revision's pods were scheduled.`,
      pending.slice(0, 3).map((p) => `cluster.pendingPods[${p.pod}]`),
      60,
    );
  }
  const resource = /Insufficient memory/i.test(
    [...pending.map((p) => p.message), ...events.map((e) => e.item.message)].join(' '),
  )
    ? 'memory'
    : 'cpu';
  const oversized = oversizedRequest(facts, resource);
  if (oversized) return oversized;
  return escalation(
    'pending-capacity',
    0.8,
    `${pending.length || 'Some'} pod(s) of ${workloadLabel(facts)} are Pending: the cluster lacks ${resource} to schedule them.`,
    `${pending.length} pending pod(s) and ${events.length} FailedScheduling event(s) report insufficient ${resource}. Adding nodes or freeing capacity is a decision for a human; no workload-level change would make room safely.`,
    [
      ...pending.slice(0, 3).map((p) => `cluster.pendingPods[${p.pod}]`),
      ...events.slice(0, 3).map((e) => e.ref),
    ],
  );
}

/**
 * Pods that cannot be scheduled because each asks for at least 4× what its running siblings use: the
 * request is wrong, not the cluster's size. Lowers it to 2× the observed peak (1.5× for memory).
 */
function oversizedRequest(facts: Facts, resource: 'cpu' | 'memory'): Candidate | null {
  const usageName = resource === 'cpu' ? 'cpu_usage_cores' : 'memory_working_set_bytes';
  const requestName = resource === 'cpu' ? 'cpu_request_cores' : 'memory_request_bytes';
  const requests = signals(facts, requestName);
  const container = mostCommon(requests.map((s) => s.labels['container'] ?? '').filter((c) => c !== ''));
  const target = workloadTarget(facts);
  if (!container || !target) return null;
  const request = maxOf(signals(facts, requestName, { container }), (s) => s.last);
  const peak = maxOf(signals(facts, usageName, { container }), (s) => s.max);
  if (request === null || peak === null || peak <= 0 || request < 4 * peak) return null;
  const lowered = resource === 'cpu' ? saneCpu(Math.max(peak * 2, 0.05)) : saneMemory(peak * 1.5);
  const show = resource === 'cpu' ? cores : bytes;
  return candidate({
    rule: 'pending-oversized-request',
    playbook: 'set-resources',
    target,
    params: { container, [`requests.${resource}`]: lowered },
    score: 0.82,
    diagnosis: `Pods of ${workloadLabel(facts)} cannot be scheduled: container ${container} requests ${show(request)} of ${resource} but its running replicas peak at ${show(peak)}.`,
    rationale: `The ${resource} request (${show(request)}) is ${round(request / peak, 1)}× the observed peak (${show(peak)}), so the scheduler finds no node with room although the pods would use little. Lowering the request to ${lowered} keeps ${resource === 'cpu' ? '2' : '1.5'}× headroom over the peak.`,
    refs: [signalRef(requestName), signalRef(usageName)],
    risks: [
      `A lower ${resource} request packs pods more densely; if usage later grows past it, they compete for the node's ${resource}.`,
    ],
  });
}
