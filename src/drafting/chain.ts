import {
  addUsage,
  type Draft,
  type DraftAttempt,
  type DrafterIdentity,
  type DraftRecord,
  escalationDraft,
  type TokenUsage,
} from '../domain/draft.js';
import { isMedicError } from '../domain/errors.js';
import type { Drafter, DraftInput } from '../ports/drafter.js';

export interface DraftChainDeps {
  /** The LLM drafter, or null when none is configured. */
  primary: Drafter | null;
  /** The case-based drafter. */
  fallback: Drafter;
  /** Problems with a draft against the catalog and the incident's scope (validateDraft). */
  validate: (draft: Draft) => string[];
  now: () => Date;
  signal?: AbortSignal;
}

/** Who wrote the draft when neither drafter's answer was acceptable: medic itself, escalating. */
export const ESCALATION_IDENTITY: DrafterIdentity = {
  kind: 'case',
  name: 'chain-escalation',
  promptVersion: null,
};

interface Outcome {
  draft: Draft | null;
  identity: DrafterIdentity;
  /** A refused draft, kept so an escalation can still carry its diagnosis. */
  refused: Draft | null;
}

/** Attempts and usage a failing drafter attached to its error (LlmDrafter puts them in details). */
function fromError(error: unknown): { attempts: DraftAttempt[]; usage: TokenUsage | null } {
  if (!isMedicError(error)) return { attempts: [], usage: null };
  const attempts = Array.isArray(error.details['attempts'])
    ? (error.details['attempts'] as DraftAttempt[])
    : [];
  const usage = (error.details['usage'] as TokenUsage | undefined) ?? null;
  return { attempts, usage };
}

/**
 * Primary (LLM) first, then the fallback (case-based); each answer must pass `validate`. When neither
 * gives an acceptable draft the result is an escalation carrying the most confident refused diagnosis.
 */
export async function draftWithFallback(input: DraftInput, deps: DraftChainDeps): Promise<DraftRecord> {
  const started = performance.now();
  const attempts: DraftAttempt[] = [];
  let usage: TokenUsage | null = null;
  const refused: Draft[] = [];

  const run = async (drafter: Drafter): Promise<Outcome> => {
    const tried = performance.now();
    try {
      const answer = await drafter.draft(input, deps.signal);
      attempts.push(...answer.attempts);
      usage = addUsage(usage, answer.usage);
      const problems = deps.validate(answer.draft);
      if (problems.length === 0) return { draft: answer.draft, identity: answer.identity, refused: null };
      attempts.push({
        drafter: answer.identity.name,
        ok: false,
        error: `refused by validation: ${problems.join(' ')}`,
        raw: null,
        ms: 0,
        usage: null,
      });
      return { draft: null, identity: answer.identity, refused: answer.draft };
    } catch (error) {
      const carried = fromError(error);
      attempts.push(...carried.attempts);
      usage = addUsage(usage, carried.usage);
      attempts.push({
        drafter: drafter.identity.name,
        ok: false,
        error:
          error instanceof Error
            ? `${isMedicError(error) ? `${error.code}: ` : ''}${error.message}`
            : String(error),
        raw: null,
        ms: Math.round(performance.now() - tried),
        usage: null,
      });
      return { draft: null, identity: drafter.identity, refused: null };
    }
  };

  const record = (draft: Draft, identity: DrafterIdentity): DraftRecord => ({
    draft,
    drafter: identity,
    attempts,
    similarUsed: input.similar?.matches.map((m) => m.incidentId) ?? [],
    draftedAt: deps.now().toISOString(),
    usage,
    latencyMs: Math.round(performance.now() - started),
  });

  for (const drafter of [deps.primary, deps.fallback]) {
    if (!drafter) continue;
    const outcome = await run(drafter);
    if (outcome.draft) return record(outcome.draft, outcome.identity);
    if (outcome.refused) refused.push(outcome.refused);
  }

  const best = [...refused].sort((a, b) => b.confidence - a.confidence)[0];
  const diagnosis = best?.diagnosis ?? 'No drafter produced a draft for this incident.';
  const rationale = best
    ? `No proposed action passed validation (best refused proposal: ${best.playbook}); a human should decide.`
    : 'Every drafter failed or was unavailable; a human should decide.';
  return record(escalationDraft(diagnosis, rationale, best?.evidence_refs ?? []), ESCALATION_IDENTITY);
}
