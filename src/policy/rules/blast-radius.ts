import type { GuardRule } from '../guard-input.js';

/** At most perWorkloadPerHour actions on one workload and perClusterPerHour in the cluster. */
export const blastRadiusRule: GuardRule = ({ policy, recent }) => {
  const { perWorkloadPerHour, perClusterPerHour } = policy.blastRadius;
  const reasons: string[] = [];
  if (recent.workloadLastHour >= perWorkloadPerHour) {
    reasons.push(
      `blast radius: ${recent.workloadLastHour} action(s) on this workload in the last hour; the limit is ${perWorkloadPerHour}`,
    );
  }
  if (recent.clusterLastHour >= perClusterPerHour) {
    reasons.push(
      `blast radius: ${recent.clusterLastHour} action(s) in this cluster in the last hour; the limit is ${perClusterPerHour}`,
    );
  }
  return reasons;
};
