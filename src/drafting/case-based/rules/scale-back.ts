import { type Candidate, candidate } from '../candidate.js';
import { type Facts, maxOf, signalRef, signals, workloadLabel, workloadTarget } from '../facts.js';
import { percent } from '../format.js';

// The Deployment controller's event: "Scaled down replica set <rs> to <n> from <m>".
const SCALED_DOWN = /Scaled down replica set \S+ to (\d+) from (\d+)/;
const RECENT_MS = 2 * 60 * 60_000;

/** A recent scale-down left too few replicas for the load: put the replicas back. */
export function scaleBackRule(facts: Facts): Candidate | null {
  const target = workloadTarget(facts);
  if (!target || target.kind === 'DaemonSet') return null;
  const changes = facts.evidence?.changes ?? [];
  const index = changes.findLastIndex(
    (c) =>
      c.kind === 'scale' && SCALED_DOWN.test(c.what) && facts.now.getTime() - Date.parse(c.at) <= RECENT_MS,
  );
  const change = changes[index];
  const match = change ? SCALED_DOWN.exec(change.what) : null;
  if (!change || !match) return null;
  const to = Number(match[1]);
  const from = Number(match[2]);
  const current = facts.cluster?.workload?.replicas ?? to;
  if (!(from > current)) return null;
  const saturation = maxOf(signals(facts, 'cpu_usage_cores'), (s) => s.ratioToReference);
  const throttled = maxOf(signals(facts, 'cpu_throttled_ratio'), (s) => s.last);
  const latency = maxOf(signals(facts, 'http_latency_p99_seconds'), (s) => s.changeRatio);
  const strained =
    (saturation !== null && saturation >= 0.8) ||
    (throttled !== null && throttled >= 0.25) ||
    (latency !== null && latency >= 0.5);
  if (!strained) return null;
  const strain =
    saturation !== null && saturation >= 0.8
      ? `its pods run at ${percent(saturation)} of their CPU limit`
      : throttled !== null && throttled >= 0.25
        ? `its pods are CPU-throttled ${percent(throttled)} of the time`
        : 'its p99 latency rose sharply';
  return candidate({
    rule: 'scale-back',
    playbook: 'scale',
    target,
    params: { replicas: from },
    // Above throttling or saturation alone: those are the symptom of the missing replicas.
    score: 0.88,
    diagnosis: `${workloadLabel(facts)} was scaled down from ${from} to ${to} replicas at ${change.at}, and ${strain}.`,
    rationale: `The scale-down (${change.what}) left ${current} replica(s) carrying the load ${from} carried before; restoring ${from} replicas undoes the change instead of resizing the remaining pods.`,
    refs: [
      `changes[${index}]`,
      ...(saturation !== null ? [signalRef('cpu_usage_cores')] : []),
      ...(throttled !== null ? [signalRef('cpu_throttled_ratio')] : []),
    ],
    risks: [
      `Restoring ${from} replicas is more than policy's usual growth factor from ${current}; a person may need to approve it, or scale in steps.`,
      'If the scale-down was deliberate (cost, maintenance), check with its owner first.',
    ],
  });
}
