import { type Candidate, candidate } from '../candidate.js';
import {
  type Facts,
  maxOf,
  mostCommon,
  restarts,
  signalRef,
  signals,
  warnings,
  workloadLabel,
  workloadTarget,
} from '../facts.js';
import { round } from '../format.js';

/** A liveness probe that kills containers which are only slow: give it more time and more tries. */
export function livenessProbeRule(facts: Facts): Candidate | null {
  const killed = restarts(
    facts,
    (r) => r.lastReason !== 'OOMKilled' && (r.lastExitCode === 137 || r.lastExitCode === 143),
  );
  const probeEvents = warnings(
    facts,
    /^(Unhealthy|Killing)$/,
    /Liveness probe failed|failed liveness probe/i,
  );
  if (killed.length === 0 || probeEvents.length === 0) return null;
  if (restarts(facts, (r) => r.lastReason === 'OOMKilled').length > 0) return null;
  const target = workloadTarget(facts);
  const container = mostCommon(killed.map((k) => k.item.container));
  if (!target || !container) return null;
  const latency = signals(facts, 'http_latency_p99_seconds');
  const p99 = maxOf(latency, (s) => s.max);
  const baseline = maxOf(latency, (s) => s.baselineMean);
  const slow = p99 !== null && (p99 >= 1 || (baseline !== null && baseline > 0 && p99 / baseline >= 2));
  const timeoutMessages = probeEvents.some((e) =>
    /timeout|deadline exceeded|awaiting headers/i.test(e.item.message),
  );
  if (!slow && !timeoutMessages) return null;
  // Long enough to outlast the observed p99, bounded so a hung container is still caught.
  const timeoutSeconds = Math.min(10, Math.max(3, Math.ceil((p99 ?? 1) * 2)));
  const failures = probeEvents.reduce((sum, e) => sum + e.item.count, 0);
  const totalRestarts = killed.reduce((sum, k) => sum + k.item.restarts, 0);
  return candidate({
    rule: 'liveness-probe',
    playbook: 'set-probe',
    target,
    params: { container, probe: 'liveness', timeoutSeconds, failureThreshold: 6 },
    score: slow && timeoutMessages ? 0.85 : 0.75,
    diagnosis: `The liveness probe of container ${container} in ${workloadLabel(facts)} kills it while it is slow, not dead: ${failures} liveness failures and ${totalRestarts} restarts with exit code ${killed[0]?.item.lastExitCode}, no OOMKill${p99 !== null ? `, p99 latency ${round(p99, 2)}s` : ''}.`,
    rationale: `${killed.length} container(s) restarted by the kubelet (exit 137/143, not OOMKilled) after ${failures} "Liveness probe failed" event(s)${
      timeoutMessages ? ' that report timeouts' : ''
    }${p99 !== null ? `; p99 latency reached ${round(p99, 2)}s${baseline ? ` against a ${round(baseline, 2)}s baseline` : ''}` : ''}. Restarting slow pods drops their capacity and makes the rest slower. A ${timeoutSeconds}s timeout and 6 failures before a restart let slow-but-alive containers recover.`,
    refs: [
      ...killed.slice(0, 4).map((k) => k.ref),
      ...probeEvents.slice(0, 3).map((e) => e.ref),
      ...(latency.length > 0 ? [signalRef('http_latency_p99_seconds')] : []),
    ],
    risks: [
      'A truly hung container now takes longer to be restarted (up to timeout × failureThreshold × period).',
    ],
  });
}
