import {
  type Draft,
  type DraftAttempt,
  type DrafterIdentity,
  draftSchema,
  escalationDraft,
  NON_ACTING_PLAYBOOKS,
} from '../../domain/draft.js';
import type { Drafter, DrafterAnswer, DraftInput } from '../../ports/drafter.js';
import { validateDraft } from '../validate.js';
import { alertHint } from './alert-hints.js';
import { type Candidate, escalation } from './candidate.js';
import { extractFacts, type Facts, PROTECTED_NAMESPACES, workloadLabel } from './facts.js';
import { round } from './format.js';
import { rules } from './rules/index.js';
import { resolvedRule } from './rules/lifecycle.js';
import { unknownCandidate } from './unknown.js';
import { describeTally, historyCandidate, type Tally, tally } from './votes.js';

export const CASE_BASED_IDENTITY: DrafterIdentity = {
  kind: 'case',
  name: 'case-based-v1',
  promptVersion: null,
};

interface Scored {
  candidate: Candidate;
  tally: Tally;
  final: number;
}

const clamp = (value: number) => Math.max(0.05, Math.min(0.97, value));

function collect(facts: Facts): { candidates: Candidate[]; failedRules: string[] } {
  const candidates: Candidate[] = [];
  const failedRules: string[] = [];
  for (const rule of rules) {
    try {
      const found = rule(facts);
      if (found) candidates.push(found);
    } catch (error) {
      // One broken rule must not stop the others; the attempt records it.
      failedRules.push(`${rule.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { candidates, failedRules };
}

/** Why the chosen proposal may not be acted on, or null when it may. */
function refusal(facts: Facts, chosen: Candidate, input: DraftInput): string | null {
  const namespace = chosen.target?.namespace ?? facts.namespace;
  if (namespace && PROTECTED_NAMESPACES.has(namespace)) {
    return `${namespace} is a protected system namespace: medic never acts there.`;
  }
  if (NON_ACTING_PLAYBOOKS.has(chosen.playbook)) return null;
  // The same checks the draft stage applies to any drafter: catalog, parameters, target kind and scope.
  const problems = validateDraft(toDraft(chosen, chosen.score, []), {
    catalog: input.catalog,
    incident: input.incident,
    evidence: input.evidence,
  });
  return problems.length > 0 ? `the proposal fails validation: ${problems.slice(0, 3).join(' ')}` : null;
}

function toDraft(chosen: Candidate, confidence: number, extraRationale: string[]): Draft {
  const draft: Draft = {
    diagnosis: chosen.diagnosis.slice(0, 2000),
    confidence: round(confidence, 2),
    playbook: chosen.playbook,
    target: NON_ACTING_PLAYBOOKS.has(chosen.playbook) ? null : chosen.target,
    params: NON_ACTING_PLAYBOOKS.has(chosen.playbook) ? {} : chosen.params,
    rationale: [chosen.rationale, ...extraRationale]
      .filter((s) => s.length > 0)
      .join(' ')
      .slice(0, 4000),
    evidence_refs: [...new Set(chosen.refs)].slice(0, 20).map((ref) => ref.slice(0, 300)),
    risk_notes: [...new Set(chosen.risks)].slice(0, 10).map((note) => note.slice(0, 500)),
  };
  return draftSchema.parse(draft);
}

/**
 * The default drafter: deterministic rules over the evidence's structured fields, each proposing one
 * playbook with a score, adjusted by how the same playbook fared on similar past incidents.
 */
export class CaseBasedDrafter implements Drafter {
  readonly identity: DrafterIdentity = CASE_BASED_IDENTITY;

  async draft(input: DraftInput): Promise<DrafterAnswer> {
    const started = performance.now();
    let decided: Decision;
    try {
      decided = decide(input);
    } catch (error) {
      // A defect in a rule or an out-of-contract input: escalate rather than leave the incident undrafted.
      const reason = error instanceof Error ? error.message : String(error);
      decided = {
        draft: escalationDraft(
          'The case-based drafter could not read this incident; a human must diagnose it.',
          `Drafting failed: ${reason}`.slice(0, 4000),
        ),
        error: reason.slice(0, 1000),
        raw: null,
      };
    }
    const attempt: DraftAttempt = {
      drafter: this.identity.name,
      ok: decided.error === null || decided.raw !== null,
      error: decided.error,
      raw: decided.raw,
      ms: Math.round(performance.now() - started),
      usage: null,
    };
    return { draft: decided.draft, identity: this.identity, attempts: [attempt], usage: null };
  }
}

interface Decision {
  draft: Draft;
  /** Rules that threw (the others still decided), or why drafting failed as a whole. */
  error: string | null;
  raw: string | null;
}

function decide(input: DraftInput): Decision {
  const facts = extractFacts(input);
  const { candidates, failedRules } = collect(facts);
  // History alone proposes only when no rule recognised anything; it never outvotes a diagnosis.
  if (candidates.length === 0) {
    const precedent = historyCandidate(facts, input.similar);
    if (precedent) candidates.push(precedent);
  }
  candidates.push(unknownCandidate(facts));
  const scored: Scored[] = candidates
    .map((candidate) => {
      const result = tally(candidate, input.similar);
      const final = clamp(candidate.score + result.adjustment + alertHint(facts, candidate));
      return { candidate, tally: result, final };
    })
    .sort((a, b) => b.final - a.final);
  const resolved = resolvedRule(facts);
  const best = scored[0] as Scored;
  let chosen = resolved ?? best.candidate;
  let confidence = resolved ? resolved.score : best.final;
  const extra: string[] = [];
  const votes = resolved ? '' : describeTally(best.tally);
  if (votes) extra.push(`Similar incidents: ${votes}.`);
  const runnerUp = scored.find((s) => s !== best && s.candidate.playbook !== best.candidate.playbook);
  if (!resolved && runnerUp && runnerUp.candidate.rule !== 'unknown') {
    extra.push(
      `Also considered: ${runnerUp.candidate.playbook} (${runnerUp.candidate.rule}, score ${round(runnerUp.final, 2)}).`,
    );
  }
  const refused = refusal(facts, chosen, input);
  if (refused) {
    const proposal = NON_ACTING_PLAYBOOKS.has(chosen.playbook)
      ? ''
      : ` The evidence suggested ${chosen.playbook}.`;
    chosen = escalation(
      `${chosen.rule}-refused`,
      chosen.score,
      chosen.diagnosis,
      `Escalating because ${refused}${proposal} ${chosen.rationale}`,
      chosen.refs,
      chosen.risks,
    );
    confidence = Math.min(confidence, 0.9);
  }
  const draft = toDraft(chosen, confidence, extra);
  return {
    draft,
    error: failedRules.length > 0 ? `rules failed: ${failedRules.join('; ')}`.slice(0, 1000) : null,
    raw: JSON.stringify({
      chosen: chosen.rule,
      workload: workloadLabel(facts),
      candidates: scored.map((s) => ({
        rule: s.candidate.rule,
        playbook: s.candidate.playbook,
        score: round(s.final, 2),
      })),
    }).slice(0, 4000),
  };
}
