import type { Target } from '../../domain/draft.js';

/** One rule's proposal, before similar-incident votes and the final pick. */
export interface Candidate {
  /** Which rule produced it, for the attempt record and tests. */
  rule: string;
  playbook: string;
  target: Target | null;
  params: Record<string, unknown>;
  /** How strongly the evidence supports it, 0..1. */
  score: number;
  diagnosis: string;
  /** Why, citing the numbers. */
  rationale: string;
  refs: string[];
  risks: string[];
}

export type CandidateInit = Omit<Candidate, 'params' | 'refs' | 'risks' | 'target'> &
  Partial<Pick<Candidate, 'params' | 'refs' | 'risks' | 'target'>>;

export function candidate(init: CandidateInit): Candidate {
  return { target: null, params: {}, refs: [], risks: [], ...init };
}

export function escalation(
  rule: string,
  score: number,
  diagnosis: string,
  rationale: string,
  refs: string[] = [],
  risks: string[] = [],
): Candidate {
  return candidate({ rule, playbook: 'escalate', score, diagnosis, rationale, refs, risks });
}
