import { parseQuantity } from '../../../domain/quantity.js';
import { type Candidate, candidate, escalation } from '../candidate.js';
import {
  type Facts,
  maxOf,
  mostCommon,
  recentRollout,
  restarts,
  signalRef,
  signals,
  workloadLabel,
  workloadTarget,
} from '../facts.js';
import { bytes, percent, round } from '../format.js';
import { memoryLimitFor } from '../sizing.js';
import { oomBeganWithRollout } from './regressions.js';

interface MemoryPicture {
  container: string | null;
  peak: number | null;
  last: number | null;
  limit: number | null;
  request: number | null;
  /** Growth over the window relative to the baseline, and per minute. */
  changeRatio: number | null;
  slopePerMinute: number;
  refs: string[];
}

function memoryPicture(facts: Facts, container: string | null): MemoryPicture {
  const where = container ? { container } : {};
  let usage = signals(facts, 'memory_working_set_bytes', where);
  if (usage.length === 0 && container) usage = signals(facts, 'memory_working_set_bytes');
  const limits = signals(facts, 'memory_limit_bytes', where);
  const requests = signals(facts, 'memory_request_bytes', where);
  const refs: string[] = [];
  if (usage.length > 0) refs.push(signalRef('memory_working_set_bytes'));
  if (limits.length > 0) refs.push(signalRef('memory_limit_bytes'));
  const limit =
    maxOf(limits, (s) => s.last) ??
    maxOf(usage, (s) => (s.reference?.signal === 'memory_limit_bytes' ? s.reference.value : null));
  const steepest = usage.reduce<(typeof usage)[number] | null>(
    (best, s) => (best === null || s.slopePerMinute > best.slopePerMinute ? s : best),
    null,
  );
  return {
    container,
    peak: maxOf(usage, (s) => s.max),
    last: maxOf(usage, (s) => s.last),
    limit,
    request: maxOf(requests, (s) => s.last),
    changeRatio: steepest?.changeRatio ?? null,
    slopePerMinute: steepest?.slopePerMinute ?? 0,
    refs,
  };
}

/** Memory climbing steadily while traffic stays flat and nothing was deployed: a leak, not load. */
function looksLikeLeak(facts: Facts, picture: MemoryPicture): boolean {
  if (picture.slopePerMinute <= 0 || picture.changeRatio === null || picture.changeRatio < 0.25) return false;
  if (recentRollout(facts, 24 * 60)) return false;
  const traffic = signals(facts, 'http_requests_per_second');
  const trafficGrowth = maxOf(traffic, (s) => (s.changeRatio === null ? null : Math.abs(s.changeRatio)));
  return trafficGrowth === null || trafficGrowth < 0.2;
}

/** Containers OOMKilled at their memory limit: give them headroom over the observed peak. */
export function oomRule(facts: Facts): Candidate | null {
  const killed = restarts(facts, (r) => r.lastReason === 'OOMKilled');
  const killSignals = signals(facts, 'oom_kills_total');
  const killsInWindow = killSignals.reduce((sum, s) => sum + Math.max(0, s.max - s.min), 0);
  if (killed.length === 0 && killsInWindow === 0) return null;
  const container =
    mostCommon(killed.map((k) => k.item.container)) ??
    mostCommon(
      killSignals
        .filter((k) => k.max > k.min)
        .map((k) => k.labels['container'] ?? '')
        .filter((c) => c !== ''),
    );
  const picture = memoryPicture(facts, container);
  const refs = [...picture.refs, ...killed.slice(0, 5).map((k) => k.ref)];
  if (killSignals.length > 0) refs.push(signalRef('oom_kills_total'));
  const totalRestarts = killed.reduce((sum, k) => sum + k.item.restarts, 0);
  const what =
    killed.length > 0
      ? `${killed.length} container(s) last terminated OOMKilled (${totalRestarts} restarts in total${
          killsInWindow > 0 ? `, ${killsInWindow} OOM kills in the window` : ''
        })`
      : `${killsInWindow} OOM kills in the window`;
  const target = workloadTarget(facts);
  if (!target || !container || picture.peak === null) {
    return escalation(
      'oom-without-sizing',
      0.7,
      `${workloadLabel(facts)} is being OOMKilled, but the evidence lacks the ${
        !target ? 'workload to patch' : !container ? 'container name' : 'memory usage series'
      } needed to size a new limit.`,
      `${what}. Without the observed peak a new limit would be a guess.`,
      refs,
    );
  }
  const newLimit = memoryLimitFor(picture.peak, picture.limit);
  const newLimitBytes = parseQuantity(newLimit);
  const params: Record<string, unknown> = { container, 'limits.memory': newLimit };
  if (picture.request !== null && picture.request > newLimitBytes) params['requests.memory'] = newLimit;
  const ratio = picture.limit ? picture.peak / picture.limit : null;
  const risks: string[] = [
    'Pods restart with the new limit (rolling update); each needs node room for its memory request.',
  ];
  let score = ratio === null ? 0.7 : ratio >= 0.85 ? 0.9 : ratio >= 0.6 ? 0.75 : 0.6;
  let diagnosis = `Container ${container} of ${workloadLabel(facts)} is OOMKilled at its memory limit${
    picture.limit ? ` of ${bytes(picture.limit)}` : ''
  }: working set peaked at ${bytes(picture.peak)}${ratio !== null ? ` (${percent(ratio)} of the limit)` : ''}.`;
  if (looksLikeLeak(facts, picture)) {
    score = Math.min(score, 0.7);
    diagnosis += ` Memory grows steadily (${bytes(picture.slopePerMinute)}/min) while traffic is flat and nothing was deployed: likely a leak.`;
    risks.push(
      'Likely a memory leak: a larger limit only lengthens the time between OOMKills; the owners need to find the leak.',
    );
  }
  if (oomBeganWithRollout(facts)) {
    score = Math.min(score, 0.8);
    risks.push('The OOMKills began with a rollout in the last hour: a rollback may be the better remedy.');
  }
  if (ratio !== null && ratio < 0.6) {
    risks.push(
      `Sampled peak is only ${percent(ratio)} of the limit: the spikes that kill the container are shorter than the scrape interval, or the node itself ran out of memory.`,
    );
  }
  if (picture.limit === null)
    risks.push('The current memory limit is not in the evidence; the new one is sized from the peak alone.');
  return candidate({
    rule: 'oom',
    playbook: 'set-resources',
    target,
    params,
    score,
    diagnosis,
    rationale: `${what}. Peak working set ${bytes(picture.peak)}${
      picture.limit ? ` against a ${bytes(picture.limit)} limit` : ''
    }; the new limit ${newLimit} gives 1.5× headroom over the peak (at least 1.25× the old limit, at most 4×)${
      params['requests.memory']
        ? `, and the request rises to ${newLimit} so it does not exceed the limit`
        : ''
    }.`,
    refs,
    risks,
  });
}

/** Memory climbing toward the limit with no OOMKill yet and no change to blame: a human should look for the leak. */
export function leakRule(facts: Facts): Candidate | null {
  if (restarts(facts, (r) => r.lastReason === 'OOMKilled').length > 0) return null;
  const picture = memoryPicture(facts, null);
  if (picture.last === null || picture.limit === null) return null;
  const ratio = picture.last / picture.limit;
  if (ratio < 0.6 || !looksLikeLeak(facts, picture)) return null;
  const minutesLeft =
    picture.slopePerMinute > 0 ? (picture.limit - picture.last) / picture.slopePerMinute : null;
  return escalation(
    'memory-leak',
    0.65,
    `Memory of ${workloadLabel(facts)} grows steadily (${bytes(picture.slopePerMinute)}/min, now ${bytes(
      picture.last,
    )}, ${percent(ratio)} of its ${bytes(picture.limit)} limit) with flat traffic and no recent rollout: likely a memory leak${
      minutesLeft !== null ? `, about ${round(minutesLeft, 0)} minutes from the limit` : ''
    }.`,
    'A leak is a code defect: raising the limit or restarting only postpones the OOMKill, and no rollout exists to undo. Escalating with the projection so the owners can decide (a restart or a larger limit buys time if they need it).',
    picture.refs,
    ['Expect OOMKills once the limit is reached if nobody acts.'],
  );
}
