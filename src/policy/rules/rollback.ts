import type { KubeObject } from '../../domain/evidence/telemetry.js';
import type { GuardRule } from '../guard-input.js';
import { integerParam } from '../kube-objects.js';

const REVISION = 'deployment.kubernetes.io/revision';
const DAY_MS = 24 * 60 * 60 * 1000;

function revisionOf(object: KubeObject): number | undefined {
  const value = Number(object.metadata.annotations?.[REVISION]);
  return Number.isInteger(value) ? value : undefined;
}

function ownedBy(replicaSet: KubeObject, deployment: KubeObject): boolean {
  const owners = replicaSet.metadata.ownerReferences ?? [];
  return owners.some((owner) =>
    deployment.metadata.uid && owner.uid
      ? owner.uid === deployment.metadata.uid
      : owner.kind === 'Deployment' && owner.name === deployment.metadata.name,
  );
}

/** rollback: the target revision's ReplicaSet must exist and have served within the last maxAgeDays. */
export const rollbackRule: GuardRule = ({ policy, playbook, draft, target, replicaSets, now }) => {
  if (playbook.id !== 'rollback' || !target) return [];
  const requested = integerParam(draft.params, 'toRevision');
  if (requested === null) return ['rollback: toRevision must be a whole number'];
  const revisions = replicaSets
    .filter((replicaSet) => ownedBy(replicaSet, target))
    .flatMap((replicaSet) => {
      const revision = revisionOf(replicaSet);
      return revision === undefined ? [] : [{ revision, replicaSet }];
    })
    .sort((a, b) => b.revision - a.revision);
  const current = revisionOf(target) ?? revisions[0]?.revision;
  const chosen =
    requested === undefined
      ? revisions.find((entry) => current === undefined || entry.revision < current)
      : revisions.find((entry) => entry.revision === requested);
  const name = target.metadata.name;
  if (!chosen) {
    return [
      requested === undefined
        ? `rollback: ${name} has no previous revision to roll back to`
        : `rollback: revision ${requested} is not among ${name}'s ReplicaSets`,
    ];
  }
  if (current !== undefined && chosen.revision === current) {
    return [`rollback: revision ${chosen.revision} is the current revision of ${name}`];
  }
  // A revision is as fresh as the moment it stopped serving: when the next revision replaced it. The
  // previous release that ran for a month until this morning's deploy is a known-good target.
  const successor = [...revisions].reverse().find((entry) => entry.revision > chosen.revision);
  const retired = Date.parse(successor?.replicaSet.metadata.creationTimestamp ?? '');
  if (Number.isNaN(retired)) {
    return [
      `rollback: when revision ${chosen.revision} stopped serving is unknown (the next ReplicaSet has no creationTimestamp)`,
    ];
  }
  const ageDays = (now.getTime() - retired) / DAY_MS;
  const { maxAgeDays } = policy.limits.rollback;
  return ageDays > maxAgeDays
    ? [
        `rollback: revision ${chosen.revision} stopped serving ${Math.floor(ageDays)} days ago, longer than the ${maxAgeDays} days allowed`,
      ]
    : [];
};
