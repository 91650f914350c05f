import type { Rollout } from '../../../domain/evidence/cluster-facts.js';
import { type Candidate, candidate, escalation } from '../candidate.js';
import {
  changeRefsFor,
  type Facts,
  type Indexed,
  RECENT_ROLLOUT_MINUTES,
  recentRollout,
  workloadTarget,
} from '../facts.js';

export function imageChange(rollout: Rollout, previous: Rollout | null): string {
  const changed = Object.entries(rollout.images).filter(([name, image]) => previous?.images[name] !== image);
  return changed.length > 0
    ? changed.map(([name, image]) => `${name} ${previous?.images[name] ?? '(new)'} → ${image}`).join(', ')
    : 'no image change';
}

/**
 * A rollback for failures that began with the newest rollout; on a StatefulSet or DaemonSet, which
 * have no rollback playbook, an escalation that says so.
 */
export function rollbackOrEscalate(
  facts: Facts,
  rule: string,
  score: number,
  diagnosis: string,
  rationale: string,
  refs: string[],
  withinMinutes = RECENT_ROLLOUT_MINUTES,
): Candidate {
  const recent = recentRollout(facts, withinMinutes);
  const target = workloadTarget(facts);
  if (target?.kind !== 'Deployment' || !recent?.previous) {
    return escalation(
      `${rule}-no-rollback`,
      score - 0.05,
      diagnosis,
      `${rationale} ${
        target && target.kind !== 'Deployment'
          ? `Rollback is Deployment-only and a ${target.kind} restart would recreate pods from the same broken template, so a human should revert the update.`
          : 'No previous revision is in the evidence to roll back to.'
      }`,
      refs,
    );
  }
  return candidate({
    rule,
    playbook: 'rollback',
    target,
    params: { toRevision: recent.previous.revision },
    score,
    diagnosis,
    rationale: `${rationale} Rolling back to revision ${recent.previous.revision} (${recent.previous.replicaSet}) restores the last template that ran.`,
    refs: [...refs, recent.ref, ...changeRefsFor(facts, 'deploy'), ...changeRefsFor(facts, 'config')],
    risks: [
      `Reverts every change in revision ${recent.current.revision} (${imageChange(recent.current, recent.previous)}); a schema or data migration it ran will not be undone.`,
    ],
  });
}

export function newPodsOnly(facts: Facts, refs: Array<Indexed<{ pod: string }>>): boolean {
  const recent = recentRollout(facts);
  if (!recent) return false;
  return refs.length > 0 && refs.every((r) => r.item.pod.startsWith(`${recent.current.replicaSet}-`));
}
