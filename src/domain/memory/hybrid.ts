/** What a live incident and a remembered one are compared on, beside their vectors. */
export interface StructuredFacts {
  alertnames: readonly string[];
  workloadKind: string | null;
  terminationReasons: readonly string[];
}

export interface HybridWeights {
  vector: number;
  alertname: number;
  workloadKind: number;
  terminationReason: number;
}

export const defaultHybridWeights: HybridWeights = {
  vector: 0.7,
  alertname: 0.15,
  workloadKind: 0.05,
  terminationReason: 0.1,
};

/**
 * Vector similarity plus structured overlap: the same alert, the same kind of workload and the same
 * way of dying count for more than words that merely look alike.
 */
export function hybridScore(
  vectorScore: number,
  live: StructuredFacts,
  past: { alertname: string; workloadKind: string | null; terminationReason: string | null },
  weights: HybridWeights = defaultHybridWeights,
): number {
  const sameAlert = live.alertnames.includes(past.alertname) ? 1 : 0;
  const sameKind = live.workloadKind !== null && live.workloadKind === past.workloadKind ? 1 : 0;
  const sameDeath =
    past.terminationReason !== null && live.terminationReasons.includes(past.terminationReason) ? 1 : 0;
  return (
    weights.vector * vectorScore +
    weights.alertname * sameAlert +
    weights.workloadKind * sameKind +
    weights.terminationReason * sameDeath
  );
}
