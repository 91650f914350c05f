import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Draft, DrafterIdentity, TokenUsage } from '../../src/domain/draft.js';
import { pipelineGuardStep } from '../../src/main/eval/decide.js';
import type { SuiteDeps } from '../../src/main/eval/suite.js';
import { createLogger } from '../../src/observability/logger.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Drafter, DrafterAnswer } from '../../src/ports/drafter.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';

export const fixtures = join(import.meta.dirname, '../fixtures/evals');

/** What `medic eval` wires: defaults config, the repository's playbooks, the default policy, the real guard. */
export async function realSuiteDeps(): Promise<SuiteDeps> {
  return {
    config: loadConfig({ env: {}, file: '/dev/null' }),
    catalog: await loadCatalog(defaultPlaybookDir()),
    logger: createLogger('silent'),
    guard: pipelineGuardStep(await loadPolicy({})),
  };
}

/** A drafter that answers like a model would: one attempt with its raw text, and token usage. */
export class FixtureLlmDrafter implements Drafter {
  readonly identity: DrafterIdentity = { kind: 'llm', name: 'fixture:scripted', promptVersion: 'test' };
  calls = 0;

  constructor(
    private readonly answer: (call: number) => Draft,
    private readonly usage: TokenUsage = { inputTokens: 1200, outputTokens: 140, costUsd: 0.00042 },
  ) {}

  async draft(): Promise<DrafterAnswer> {
    this.calls += 1;
    const draft = this.answer(this.calls);
    return {
      draft,
      identity: this.identity,
      attempts: [
        {
          drafter: this.identity.name,
          ok: true,
          error: null,
          raw: JSON.stringify(draft),
          ms: 5,
          usage: this.usage,
        },
      ],
      usage: this.usage,
    };
  }
}

export function draftOf(playbook: string, params: Record<string, unknown>, target: Draft['target']): Draft {
  return {
    diagnosis: `fixture diagnosis for ${playbook}`,
    confidence: 0.8,
    playbook,
    target,
    params,
    rationale: 'scripted by the test',
    evidence_refs: [],
    risk_notes: [],
  };
}

export const checkout = { kind: 'Deployment' as const, namespace: 'shop', name: 'checkout' };
