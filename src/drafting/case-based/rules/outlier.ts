import type { SignalSummary } from '../../../domain/evidence/signal-summary.js';
import { type Candidate, candidate } from '../candidate.js';
import { type Facts, ownsPod, recentRollout, restarts, signalRef, signals, workloadLabel } from '../facts.js';
import { round } from '../format.js';

interface PodScore {
  pod: string;
  value: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function perPod(facts: Facts, name: string, value: (s: SignalSummary) => number): PodScore[] {
  const byPod = new Map<string, number>();
  for (const summary of signals(facts, name)) {
    const pod = summary.labels['pod'];
    if (!pod || !ownsPod(facts, pod)) continue;
    byPod.set(pod, Math.max(byPod.get(pod) ?? 0, value(summary)));
  }
  return [...byPod.entries()].map(([pod, v]) => ({ pod, value: v }));
}

/** The one pod far worse than its siblings, when there are at least two healthy siblings. */
function outlier(
  scores: PodScore[],
  floor: number,
  factor: number,
): { pod: string; value: number; siblings: number } | null {
  if (scores.length < 3) return null;
  const sorted = [...scores].sort((a, b) => b.value - a.value);
  const [worst, ...rest] = sorted;
  if (!worst || worst.value < floor) return null;
  const typical = median(rest.map((r) => r.value));
  if (worst.value < factor * Math.max(typical, floor / factor)) return null;
  return { pod: worst.pod, value: worst.value, siblings: typical };
}

/** One pod misbehaving while its siblings are healthy: replace that pod. */
export function outlierPodRule(facts: Facts): Candidate | null {
  if (!facts.namespace || !facts.workload || facts.workload.kind === 'Node') return null;
  const restartCounts = perPod(facts, 'container_restarts_total', (s) => s.max - s.min);
  const found: Array<{ pod: string; what: string; ref: string }> = [];
  const restartOutlier = outlier(restartCounts, 3, 3);
  if (restartOutlier) {
    found.push({
      pod: restartOutlier.pod,
      what: `${restartOutlier.value} restarts in the window against a median of ${restartOutlier.siblings} for its siblings`,
      ref: signalRef('container_restarts_total'),
    });
  }
  const errors = outlier(
    perPod(facts, 'http_error_ratio', (s) => s.last),
    0.05,
    5,
  );
  if (errors) {
    found.push({
      pod: errors.pod,
      what: `error ratio ${round(errors.value * 100, 1)}% against ${round(errors.siblings * 100, 1)}% for its siblings`,
      ref: signalRef('http_error_ratio'),
    });
  }
  const latency = outlier(
    perPod(facts, 'http_latency_p99_seconds', (s) => s.last),
    0.5,
    4,
  );
  if (latency) {
    found.push({
      pod: latency.pod,
      what: `p99 latency ${round(latency.value, 2)}s against ${round(latency.siblings, 2)}s for its siblings`,
      ref: signalRef('http_latency_p99_seconds'),
    });
  }
  const pod = found[0]?.pod;
  if (!pod || found.some((f) => f.pod !== pod)) return null;
  // OOMKills and pods of a fresh rollout have their own rules; replacing them would not help.
  if (restarts(facts, (r) => r.pod === pod && r.lastReason === 'OOMKilled').length > 0) return null;
  const recent = recentRollout(facts, 60);
  if (recent && pod.startsWith(`${recent.current.replicaSet}-`)) return null;
  const podRestarts = restarts(facts, (r) => r.pod === pod);
  return candidate({
    rule: 'outlier-pod',
    playbook: 'delete-pod',
    target: { kind: 'Pod', namespace: facts.namespace, name: pod },
    params: {},
    score: 0.55 + 0.1 * found.length,
    diagnosis: `Pod ${pod} of ${workloadLabel(facts)} misbehaves while its siblings are healthy: ${found.map((f) => f.what).join('; ')}.`,
    rationale: `Only ${pod} is affected (${found.map((f) => f.what).join('; ')}), which points to something local to that pod or its node rather than the code or the configuration. Deleting it lets its controller replace it with a fresh pod.`,
    refs: [...found.map((f) => f.ref), ...podRestarts.slice(0, 2).map((r) => r.ref)],
    risks: ['The replacement may land on the same node; if the problem follows it, look at the node.'],
  });
}
