import type { GuardRule } from '../guard-input.js';
import { integerParam } from '../kube-objects.js';

/**
 * scale: no more than maxFactor× the current replicas and no fewer than current ÷ maxFactor, never
 * above maxReplicas, never 0 unless allowed.
 */
export const scaleRule: GuardRule = ({ policy, playbook, draft, target }) => {
  if (playbook.id !== 'scale') return [];
  const { maxFactor, maxReplicas, allowZero } = policy.limits.scale;
  const replicas = integerParam(draft.params, 'replicas');
  if (replicas === undefined) return ['scale: the draft gives no replicas'];
  if (replicas === null || replicas < 0) return ['scale: replicas must be a whole number of at least 0'];
  const reasons: string[] = [];
  if (replicas === 0 && !allowZero) {
    reasons.push('scale: 0 replicas would stop the workload, and the policy does not allow scaling to zero');
  }
  if (replicas > maxReplicas) {
    reasons.push(`scale: ${replicas} replicas is more than the policy maximum of ${maxReplicas}`);
  }
  const current = target?.spec?.['replicas'];
  if (target) {
    const now = typeof current === 'number' ? current : 1;
    // Scaling up from zero is bounded as if from one replica.
    if (replicas > maxFactor * Math.max(now, 1)) {
      const base = now === 0 ? '0 (counted as 1)' : String(now);
      reasons.push(`scale: ${replicas} replicas is more than ${maxFactor}x the current ${base}`);
    }
    // Shedding most of the replicas at once is as risky as the opposite: bound it the same way.
    if (replicas > 0 && replicas < now / maxFactor) {
      reasons.push(`scale: ${replicas} replicas is less than the current ${now} divided by ${maxFactor}`);
    }
  }
  return reasons;
};
