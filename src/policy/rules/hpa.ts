import type { GuardRule } from '../guard-input.js';
import { integerParam } from '../kube-objects.js';

/** set-hpa-bounds: maxReplicas at most maxFactor× the current one and under the policy cap; min ≤ max, min ≥ 1. */
export const hpaRule: GuardRule = ({ policy, playbook, draft, target }) => {
  if (playbook.id !== 'set-hpa-bounds' || !target) return [];
  const { maxFactor, maxReplicas: cap } = policy.limits.hpa;
  const min = integerParam(draft.params, 'minReplicas');
  const max = integerParam(draft.params, 'maxReplicas');
  if (min === null || max === null)
    return ['set-hpa-bounds: minReplicas and maxReplicas must be whole numbers'];
  if (min === undefined && max === undefined) return ['set-hpa-bounds: the draft changes neither bound'];
  const currentMax = target.spec?.['maxReplicas'];
  const currentMin = target.spec?.['minReplicas'];
  const newMax = max ?? (typeof currentMax === 'number' ? currentMax : undefined);
  const newMin = min ?? (typeof currentMin === 'number' ? currentMin : 1);
  const reasons: string[] = [];
  if (max !== undefined) {
    if (max > cap)
      reasons.push(`set-hpa-bounds: maxReplicas ${max} is more than the policy maximum of ${cap}`);
    if (typeof currentMax === 'number' && max > maxFactor * currentMax) {
      reasons.push(`set-hpa-bounds: maxReplicas ${max} is more than ${maxFactor}x the current ${currentMax}`);
    }
  }
  if (newMin < 1) reasons.push(`set-hpa-bounds: minReplicas ${newMin} is below 1`);
  if (newMin > cap)
    reasons.push(`set-hpa-bounds: minReplicas ${newMin} is more than the policy maximum of ${cap}`);
  if (newMax !== undefined && newMin > newMax) {
    reasons.push(`set-hpa-bounds: minReplicas ${newMin} is above maxReplicas ${newMax}`);
  }
  return reasons;
};
