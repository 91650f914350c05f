import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Draft } from '../../src/domain/draft.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { CASE_BASED_IDENTITY, CaseBasedDrafter } from '../../src/drafting/case-based/index.js';
import { draftWithFallback, ESCALATION_IDENTITY } from '../../src/drafting/chain.js';
import { validateDraft } from '../../src/drafting/validate.js';
import type { Drafter, DraftInput } from '../../src/ports/drafter.js';
import type { SimilarRecord } from '../../src/ports/incident-store.js';
import { answer, type OpenAiTestServer, startOpenAiServer } from '../support/openai-server.js';
import { restartDraft, testInput } from './llm-fixtures.js';
import { openAiDrafter } from './llm-helpers.js';

const NOW = new Date('2026-03-01T10:01:00Z');

function fixedDrafter(name: string, draft: Draft): Drafter & { calls: number } {
  const drafter = {
    calls: 0,
    identity: { kind: 'case' as const, name, promptVersion: null },
    draft: async () => {
      drafter.calls += 1;
      return {
        draft,
        identity: drafter.identity,
        attempts: [{ drafter: name, ok: true, error: null, raw: null, ms: 1, usage: null }],
        usage: null,
      };
    },
  };
  return drafter;
}

function failingDrafter(name: string): Drafter {
  return {
    identity: { kind: 'case', name, promptVersion: null },
    draft: async () => {
      throw new MedicError(ErrorCodes.drafterUnavailable, `${name} is down`);
    },
  };
}

const similar: SimilarRecord = {
  retrievedAt: '2026-03-01T10:00:30Z',
  embedder: 'test',
  matches: [
    {
      incidentId: 'inc-0412',
      title: 'checkout OOM',
      at: '2026-02-01T00:00:00Z',
      score: 0.8,
      vectorScore: 0.8,
      action: { playbook: 'rollout-restart', target: null, params: {} },
      outcome: 'resolved',
      diagnosis: 'OOM',
    },
  ],
};

let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function deps(input: DraftInput, primary: Drafter | null, fallback: Drafter) {
  return { primary, fallback, validate: (d: Draft) => validateDraft(d, input), now: () => NOW };
}

describe('draftWithFallback', () => {
  it('keeps a valid LLM draft with its identity, usage, similar ids and attempts', async () => {
    const input = testInput({ similar });
    const fallback = fixedDrafter('case-based-v1', restartDraft({ playbook: 'escalate', target: null }));
    server.script(answer(restartDraft(), { prompt_tokens: 500, completion_tokens: 50 }));

    const record = await draftWithFallback(input, deps(input, await openAiDrafter(server.baseURL), fallback));

    expect(record.draft).toEqual(restartDraft());
    expect(record.drafter.name).toBe('openai:test-model');
    expect(record.usage).toEqual({ inputTokens: 500, outputTokens: 50, costUsd: 0.0014 });
    expect(record.similarUsed).toEqual(['inc-0412']);
    expect(record.draftedAt).toBe(NOW.toISOString());
    expect(record.attempts).toHaveLength(1);
    expect(record.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fallback.calls).toBe(0);
  });

  it('falls back to the case-based drafter after garbage twice, keeping every attempt and the usage spent', async () => {
    const input = testInput();
    const fallback = fixedDrafter('case-based-v1', restartDraft({ diagnosis: 'from cases' }));
    server.script(answer('not json'), answer('still not json'));

    const record = await draftWithFallback(
      input,
      deps(input, await openAiDrafter(server.baseURL, { method: 'jsonMode' }), fallback),
    );

    expect(record.draft.diagnosis).toBe('from cases');
    expect(record.drafter.name).toBe('case-based-v1');
    expect(record.attempts.map((a) => [a.drafter, a.ok])).toEqual([
      ['openai:test-model', false],
      ['openai:test-model', false],
      ['openai:test-model', false],
      ['case-based-v1', true],
    ]);
    expect(record.attempts[2]?.error).toContain(ErrorCodes.invalidDraft);
    expect(record.usage?.inputTokens).toBe(200);
  });

  it('falls back to the real case-based drafter, whose answer is validated like any other', async () => {
    const input = testInput();
    server.script(answer('garbage'), answer('garbage'));
    const record = await draftWithFallback(
      input,
      deps(input, await openAiDrafter(server.baseURL, { method: 'jsonMode' }), new CaseBasedDrafter()),
    );
    expect(record.attempts.some((a) => a.drafter === CASE_BASED_IDENTITY.name)).toBe(true);
    expect([CASE_BASED_IDENTITY.name, ESCALATION_IDENTITY.name]).toContain(record.drafter.name);
    expect(validateDraft(record.draft, input)).toEqual([]);
  });

  it('falls back after the model twice chooses a playbook that does not exist', async () => {
    const input = testInput();
    const made = restartDraft({ playbook: 'reboot-cluster' });
    server.script(answer(made), answer(made));
    const record = await draftWithFallback(
      input,
      deps(input, await openAiDrafter(server.baseURL), fixedDrafter('case-based-v1', restartDraft())),
    );
    expect(record.drafter.name).toBe('case-based-v1');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.body.messages.at(-1)?.content).toContain('"reboot-cluster" does not exist');
    expect(record.attempts.filter((a) => a.drafter === 'openai:test-model').map((a) => a.ok)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('falls back when the model is slower than the timeout', async () => {
    const input = testInput();
    const fallback = fixedDrafter('case-based-v1', restartDraft());
    server.script(answer(restartDraft(), undefined, 2_000));
    const primary = await openAiDrafter(server.baseURL, { timeoutMs: 100, resilience: { maxAttempts: 1 } });

    const record = await draftWithFallback(input, deps(input, primary, fallback));

    expect(record.drafter.name).toBe('case-based-v1');
    expect(record.attempts[0]?.error).toContain('timed out after 100 ms');
    expect(record.attempts[1]?.error).toContain(ErrorCodes.drafterUnavailable);
  });

  it('goes straight to the fallback when no LLM is configured', async () => {
    const input = testInput();
    const record = await draftWithFallback(
      input,
      deps(input, null, fixedDrafter('case-based-v1', restartDraft())),
    );
    expect(record.drafter.name).toBe('case-based-v1');
    expect(record.usage).toBeNull();
  });

  it('refuses a primary answer the chain validation rejects, even if its drafter accepted it', async () => {
    const input = testInput();
    const outside = restartDraft({
      target: { kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
    });
    const record = await draftWithFallback(
      input,
      deps(input, fixedDrafter('sloppy-llm', outside), fixedDrafter('case-based-v1', restartDraft())),
    );
    expect(record.drafter.name).toBe('case-based-v1');
    expect(record.attempts.find((a) => a.drafter === 'sloppy-llm' && !a.ok)?.error).toContain(
      'refused by validation',
    );
  });

  it('escalates with the most confident refused diagnosis when both answers fail validation', async () => {
    const input = testInput();
    const bad = (confidence: number, diagnosis: string) =>
      restartDraft({
        confidence,
        diagnosis,
        target: { kind: 'Deployment', namespace: 'other', name: 'checkout' },
      });
    const record = await draftWithFallback(
      input,
      deps(
        input,
        fixedDrafter('llm', bad(0.9, 'memory leak in checkout')),
        fixedDrafter('case', bad(0.4, 'weak guess')),
      ),
    );
    expect(record.draft.playbook).toBe('escalate');
    expect(record.draft.target).toBeNull();
    expect(record.draft.diagnosis).toBe('memory leak in checkout');
    expect(record.drafter).toEqual(ESCALATION_IDENTITY);
    expect(validateDraft(record.draft, input)).toEqual([]);
  });

  it('escalates when every drafter is unavailable', async () => {
    const input = testInput();
    const record = await draftWithFallback(input, deps(input, failingDrafter('llm'), failingDrafter('case')));
    expect(record.draft.playbook).toBe('escalate');
    expect(record.draft.diagnosis).toContain('No drafter produced a draft');
    expect(record.attempts.map((a) => a.error)).toEqual([
      `${ErrorCodes.drafterUnavailable}: llm is down`,
      `${ErrorCodes.drafterUnavailable}: case is down`,
    ]);
  });
});
