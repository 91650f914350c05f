import type { GuardRule } from '../guard-input.js';

/** delete-pod: at most maxPerIncident pods per incident. */
export const deletePodRule: GuardRule = ({ policy, playbook, recent }) => {
  if (playbook.id !== 'delete-pod') return [];
  const { maxPerIncident } = policy.limits.deletePod;
  const done = recent.deletePodsThisIncident;
  return done + 1 > maxPerIncident
    ? [`delete-pod: ${done} pod(s) already deleted for this incident; the limit is ${maxPerIncident}`]
    : [];
};
