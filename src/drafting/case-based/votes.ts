import type { SimilarRecord } from '../../ports/incident-store.js';
import { type Candidate, candidate } from './candidate.js';
import { type Facts, workloadLabel, workloadTarget } from './facts.js';
import { round } from './format.js';

type Match = SimilarRecord['matches'][number];

/** Only the closest past incidents vote, and only those similar enough to mean anything. */
export const VOTERS = 5;
export const MIN_SIMILARITY = 0.5;
const SUCCESS = new Set(['resolved']);
const FAILURE = new Set(['failed', 'rolled-back']);

export interface Tally {
  /** Added to the candidate's score. */
  adjustment: number;
  support: Match[];
  against: Match[];
}

export function voters(similar: SimilarRecord | null): Match[] {
  return [...(similar?.matches ?? [])]
    .filter((m) => m.score >= MIN_SIMILARITY)
    .sort((a, b) => b.score - a.score)
    .slice(0, VOTERS);
}

/**
 * Past incidents that took the same playbook vote: a success raises the score, a failure or a
 * rollback lowers it more (a remedy that failed on a similar incident is a strong warning).
 */
export function tally(proposal: Candidate, similar: SimilarRecord | null): Tally {
  const same = voters(similar).filter((m) => m.action.playbook === proposal.playbook);
  const support = same.filter((m) => SUCCESS.has(m.outcome));
  const against = same.filter((m) => FAILURE.has(m.outcome));
  const up = support.reduce((sum, m) => sum + 0.1 * m.score, 0);
  const down = against.reduce((sum, m) => sum + 0.2 * m.score, 0);
  return { adjustment: Math.max(-0.35, Math.min(0.2, up - down)), support, against };
}

export function describeTally(result: Tally): string {
  const parts: string[] = [];
  if (result.support.length > 0) {
    parts.push(
      `${result.support.length} similar past incident(s) resolved with the same playbook (${result.support
        .map((m) => `${m.incidentId}, similarity ${round(m.score, 2)}`)
        .join('; ')})`,
    );
  }
  if (result.against.length > 0) {
    parts.push(
      `${result.against.length} similar past incident(s) where it ${result.against
        .map((m) => `${m.outcome} (${m.incidentId}, similarity ${round(m.score, 2)})`)
        .join('; ')}`,
    );
  }
  return parts.join('; ');
}

/**
 * When no rule recognises the evidence, a restart that resolved closely similar incidents of this
 * same workload is worth proposing. Only a restart: it needs no parameters from past text, and the
 * target is the incident's own workload, never one named by history.
 */
export function historyCandidate(facts: Facts, similar: SimilarRecord | null): Candidate | null {
  const target = workloadTarget(facts);
  if (!target) return null;
  const precedents = voters(similar).filter(
    (m) =>
      m.score >= 0.8 &&
      m.outcome === 'resolved' &&
      m.action.playbook === 'rollout-restart' &&
      m.action.target?.name === target.name &&
      m.action.target.namespace === target.namespace,
  );
  const best = precedents[0];
  if (!best) return null;
  return candidate({
    rule: 'history-restart',
    playbook: 'rollout-restart',
    target,
    score: 0.45,
    diagnosis: `No rule matched the evidence, but ${workloadLabel(facts)} had ${precedents.length} closely similar incident(s) resolved by a rolling restart (best: ${best.incidentId}, "${best.diagnosis.slice(0, 200)}").`,
    rationale: `The evidence shows no specific cause; ${precedents.length} past incident(s) of the same workload with similarity ≥ 0.8 were resolved by a rolling restart.`,
    refs: [],
    risks: ['A restart treats the symptom; if the incident recurs, the cause needs a human.'],
  });
}
