import type { Candidate } from '../candidate.js';
import { type Facts, isOwnService, recentRollout, restarts, warnings, workloadLabel } from '../facts.js';
import { imageChange, newPodsOnly, rollbackOrEscalate } from './rollback.js';

/** Containers crash-looping only since the newest rollout. */
export function crashAfterRolloutRule(facts: Facts): Candidate | null {
  const recent = recentRollout(facts);
  if (!recent) return null;
  const crashing = restarts(
    facts,
    (r) =>
      r.lastReason !== 'OOMKilled' &&
      (r.waitingReason === 'CrashLoopBackOff' || (r.restarts >= 2 && r.lastReason === 'Error')),
  );
  if (crashing.length === 0) return null;
  const onNew = newPodsOnly(facts, crashing);
  const exits = [...new Set(crashing.map((c) => c.item.lastExitCode).filter((c) => c !== null))].join(', ');
  return rollbackOrEscalate(
    facts,
    'crash-after-rollout',
    onNew ? 0.88 : 0.72,
    `${workloadLabel(facts)} crash-loops since revision ${recent.current.revision} rolled out ${recent.current.ageMinutes} minutes ago (${imageChange(recent.current, recent.previous)}).`,
    `${crashing.length} container(s) crash-looping (exit code ${exits || 'unknown'})${
      onNew ? `, all in pods of the new ReplicaSet ${recent.current.replicaSet}` : ''
    }; the template changed at ${recent.current.templateChanges.slice(0, 3).join(', ') || 'no recorded path'}.`,
    crashing.slice(0, 5).map((c) => c.ref),
  );
}

/** Readiness failing right after a rollout: the new version does not come up healthy. */
export function readinessAfterRolloutRule(facts: Facts): Candidate | null {
  const recent = recentRollout(facts, 60);
  if (!recent || recent.current.templateChanges.length === 0) return null;
  // Only failures of the new ReplicaSet's pods (or of the Deployment as a whole) point at the rollout.
  const events = warnings(facts, /^Unhealthy$/, /Readiness probe failed/i).filter(
    (e) => !e.item.object.startsWith('Pod/') || e.item.object.startsWith(`Pod/${recent.current.replicaSet}-`),
  );
  if (events.length === 0) return null;
  const failures = events.reduce((sum, e) => sum + e.item.count, 0);
  return rollbackOrEscalate(
    facts,
    'readiness-after-rollout',
    0.8,
    `New pods of ${workloadLabel(facts)} fail their readiness probe since revision ${recent.current.revision} rolled out ${recent.current.ageMinutes} minutes ago.`,
    `${failures} readiness-probe failures in ${events.length} event(s), beginning within ${recent.current.ageMinutes} minutes of a rollout that changed ${recent.current.templateChanges.slice(0, 3).join(', ')}.`,
    events.slice(0, 3).map((e) => e.ref),
  );
}

/** The error rate jumped right after a rollout and the errors start in this service: roll back. */
export function errorsAfterRolloutRule(facts: Facts): Candidate | null {
  const recent = recentRollout(facts, 45);
  if (!recent?.previous || recent.current.templateChanges.length === 0) return null;
  const errorSignals = ownErrorSpikes(facts);
  const worst = errorSignals[0];
  if (!worst) return null;
  const origins = facts.evidence?.traces?.errorOrigins ?? [];
  const total = origins.reduce((sum, o) => sum + o.errors, 0);
  const own = origins.filter((o) => isOwnService(facts, o.service)).reduce((sum, o) => sum + o.errors, 0);
  if (total > 0 && own / total < 0.5) return null;
  return rollbackOrEscalate(
    facts,
    'errors-after-rollout',
    0.78,
    `The error rate of ${workloadLabel(facts)} rose to ${Math.round(worst.last * 1000) / 10}% (baseline ${Math.round((worst.baselineMean ?? 0) * 1000) / 10}%) after revision ${recent.current.revision} rolled out ${recent.current.ageMinutes} minutes ago.`,
    `Errors jumped from ${Math.round((worst.baselineMean ?? 0) * 1000) / 10}% to ${Math.round(worst.last * 1000) / 10}% within ${recent.current.ageMinutes} minutes of a rollout that changed ${recent.current.templateChanges.slice(0, 3).join(', ')}${
      total > 0 ? `; traces place ${own} of ${total} error origins in the service itself` : ''
    }.`,
    ['signals.http_error_ratio', ...(total > 0 ? ['traces.errorOrigins[0]'] : [])],
  );
}

function ownErrorSpikes(facts: Facts) {
  return (facts.evidence?.signals ?? [])
    .filter(
      (s) =>
        s.signal === 'http_error_ratio' &&
        s.last >= 0.05 &&
        s.baselineMean !== null &&
        s.last >= 5 * Math.max(s.baselineMean, 0.002) &&
        (s.labels['service'] === undefined || isOwnService(facts, s.labels['service'])),
    )
    .sort((a, b) => b.last - a.last);
}

/** OOMKills only in the pods of a rollout from the last hour that changed the image or the resources. */
export function oomBeganWithRollout(facts: Facts): { limitChanged: boolean } | null {
  const recent = recentRollout(facts, 60);
  if (!recent?.previous) return null;
  const killed = restarts(facts, (r) => r.lastReason === 'OOMKilled');
  if (!newPodsOnly(facts, killed)) return null;
  const paths = recent.current.templateChanges;
  const limitChanged = paths.some((p) => /\/resources(\/|$)/.test(p));
  if (!limitChanged && !paths.some((p) => /\/image$/.test(p))) return null;
  return { limitChanged };
}

/** A new revision that runs out of memory where the old one did not: a regression to roll back. */
export function oomAfterRolloutRule(facts: Facts): Candidate | null {
  const began = oomBeganWithRollout(facts);
  const recent = recentRollout(facts, 60);
  if (!began || !recent) return null;
  const killed = restarts(facts, (r) => r.lastReason === 'OOMKilled');
  return rollbackOrEscalate(
    facts,
    'oom-after-rollout',
    began.limitChanged ? 0.93 : 0.88,
    `Pods of revision ${recent.current.revision} of ${workloadLabel(facts)}, rolled out ${recent.current.ageMinutes} minutes ago, are OOMKilled; ${
      began.limitChanged
        ? 'the rollout changed their resources'
        : `the new image (${imageChange(recent.current, recent.previous)}) needs more memory`
    }.`,
    `${killed.length} container(s) OOMKilled, all in the new ReplicaSet ${recent.current.replicaSet}; the rollout changed ${recent.current.templateChanges.slice(0, 3).join(', ')}. Raising the limit would paper over a regression the previous revision did not have.`,
    killed.slice(0, 5).map((k) => k.ref),
    60,
  );
}
