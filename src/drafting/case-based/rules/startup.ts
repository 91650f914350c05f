import { type Candidate, escalation } from '../candidate.js';
import { type Facts, recentRollout, restarts, warnings, workloadLabel } from '../facts.js';
import { imageChange, newPodsOnly, rollbackOrEscalate } from './rollback.js';

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError']);
const MISSING_REF = /\b(secret|configmap)s? "?([a-z0-9][a-z0-9.-]{0,252})"? not found/i;

/** Images that cannot be pulled: roll back if a rollout just changed the image, otherwise escalate (registry or credentials). */
export function imagePullRule(facts: Facts): Candidate | null {
  const waiting = restarts(facts, (r) => r.waitingReason !== null && PULL_FAILURES.has(r.waitingReason));
  const events = warnings(
    facts,
    /^(Failed|BackOff|ErrImagePull|ImagePullBackOff)$/,
    /pull|ErrImagePull|ImagePullBackOff/i,
  );
  if (waiting.length === 0 && events.length === 0) return null;
  const refs = [...waiting.map((w) => w.ref), ...events.slice(0, 3).map((e) => e.ref)];
  const recent = recentRollout(facts);
  const changedImage = recent?.current.templateChanges.some((path) => /\/image$/.test(path)) ?? false;
  const what = `${waiting.length} container(s) waiting in ${[...new Set(waiting.map((w) => w.item.waitingReason))].join('/') || 'image pull failure'} and ${events.length} pull-failure event(s)`;
  if (recent && changedImage) {
    return rollbackOrEscalate(
      facts,
      'image-pull-after-rollout',
      0.92,
      `The image of revision ${recent.current.revision} of ${workloadLabel(facts)} cannot be pulled (${imageChange(recent.current, recent.previous)}), rolled out ${recent.current.ageMinutes} minutes ago.`,
      `${what}, starting with a rollout ${recent.current.ageMinutes} minutes ago that changed the image.`,
      refs,
    );
  }
  return escalation(
    'image-pull',
    0.8,
    `Pods of ${workloadLabel(facts)} cannot pull their image, and no recent rollout changed it: the registry, its credentials or the node's network is at fault.`,
    `${what}; no rollout in the last two hours changed the image, so a rollback would not help.`,
    refs,
  );
}

/** A Secret or ConfigMap the pods reference is missing. */
export function missingConfigRule(facts: Facts): Candidate | null {
  const waiting = restarts(facts, (r) => r.waitingReason !== null && CONFIG_FAILURES.has(r.waitingReason));
  const events = warnings(facts, null, MISSING_REF);
  if (waiting.length === 0 && events.length === 0) return null;
  const match = events.map((e) => MISSING_REF.exec(e.item.message)).find((m) => m !== null);
  const missing = match ? `${match[1]?.toLowerCase()} ${match[2]}` : 'a referenced Secret or ConfigMap';
  const refs = [...waiting.map((w) => w.ref), ...events.slice(0, 3).map((e) => e.ref)];
  const recent = recentRollout(facts);
  const introduced =
    recent?.current.templateChanges.some((path) => /\/(env|envFrom|volumes)(\/|$)/.test(path)) ?? false;
  const what = `${waiting.length} container(s) waiting in CreateContainerConfigError; events say ${missing} was not found`;
  if (recent && introduced && newPodsOnly(facts, waiting.length > 0 ? waiting : [])) {
    return rollbackOrEscalate(
      facts,
      'missing-config-after-rollout',
      0.78,
      `Revision ${recent.current.revision} of ${workloadLabel(facts)} references ${missing}, which does not exist; only the new pods fail.`,
      `${what}. The rollout ${recent.current.ageMinutes} minutes ago changed ${recent.current.templateChanges
        .filter((p) => /env|volumes/.test(p))
        .slice(0, 3)
        .join(', ')}, so it introduced the reference and the previous revision runs without it.`,
      refs,
    );
  }
  return escalation(
    'missing-config',
    0.85,
    `Pods of ${workloadLabel(facts)} cannot start: ${missing} was not found.`,
    `${what}. No recent rollout introduced the reference, so the object was deleted or never created: a rollback would reference it too. Someone must restore it.`,
    refs,
  );
}

/** A rollout that stopped progressing. */
export function stuckRolloutRule(facts: Facts): Candidate | null {
  const events = [
    ...warnings(facts, /ProgressDeadlineExceeded/),
    ...warnings(
      facts,
      /^(?!ProgressDeadlineExceeded$)/,
      /ProgressDeadlineExceeded|exceeded its progress deadline/i,
    ),
  ];
  if (events.length === 0) return null;
  const recent = recentRollout(facts, 24 * 60);
  return rollbackOrEscalate(
    facts,
    'stuck-rollout',
    0.85,
    `The rollout of ${workloadLabel(facts)}${recent ? ` to revision ${recent.current.revision}` : ''} exceeded its progress deadline.`,
    `${events.length} event(s) report ProgressDeadlineExceeded${
      recent ? ` for the rollout started ${recent.current.ageMinutes} minutes ago` : ''
    }; the new pods never became available.`,
    events.slice(0, 3).map((e) => e.ref),
    24 * 60,
  );
}

/** Containers crash-looping with no rollout to blame: the cause is in the code, its inputs or its dependencies. */
export function crashLoopRule(facts: Facts): Candidate | null {
  if (recentRollout(facts)) return null;
  const crashing = restarts(
    facts,
    (r) =>
      r.lastReason !== 'OOMKilled' &&
      (r.waitingReason === 'CrashLoopBackOff' || (r.restarts >= 3 && r.lastReason === 'Error')),
  );
  if (crashing.length === 0) return null;
  const exits = [...new Set(crashing.map((c) => c.item.lastExitCode).filter((c) => c !== null))].join(', ');
  const kind = facts.workload?.kind;
  const total = crashing.reduce((sum, c) => sum + c.item.restarts, 0);
  const errors = facts.evidence?.logs?.patterns
    .map((p, i) => ({ p, ref: `logs.patterns[${i}]` }))
    .filter(({ p }) => /^(error|fatal|critical|panic)$/i.test(p.level ?? ''))
    .slice(0, 2);
  return escalation(
    'crash-loop',
    0.6,
    `${crashing.length} container(s) of ${workloadLabel(facts)} crash-loop (exit code ${exits || 'unknown'}, ${total} restarts) and no recent rollout explains it.`,
    `${kind === 'StatefulSet' || kind === 'DaemonSet' ? `Rollback is Deployment-only, and a ${kind} update is not recorded in the evidence. ` : 'No rollout in the last two hours, so there is nothing to roll back. '}A restart recreates the same crashing containers; the exit code and the error logs need a human.`,
    [...crashing.slice(0, 5).map((c) => c.ref), ...(errors ?? []).map((e) => e.ref)],
  );
}
