import { fileURLToPath } from 'node:url';
import { createChatModel } from '../adapters/langchain/chat-model.js';
import { LlmDrafter } from '../adapters/langchain/llm-drafter.js';
import { loadPromptTemplates } from '../adapters/langchain/prompts.js';
import type { MedicConfig } from '../config/schema.js';
import type { DraftRecord } from '../domain/draft.js';
import type { PlaybookCatalog } from '../domain/playbook.js';
import { CaseBasedDrafter } from '../drafting/case-based/index.js';
import { draftWithFallback } from '../drafting/chain.js';
import { draftPromptContext } from '../drafting/untrusted.js';
import { validateDraft } from '../drafting/validate.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Drafter, DraftInput } from '../ports/drafter.js';

export type Drafting = (input: DraftInput) => Promise<DraftRecord>;

export interface DraftingOptions {
  catalog: PlaybookCatalog;
  /** The LLM drafter, or null when none is configured. */
  primary: Drafter | null;
  /** The case-based drafter unless given (evals inject recording or fixture drafters). */
  fallback?: Drafter;
  clock: Clock;
  metrics?: Metrics;
}

/** The drafter chain the draft stage runs: an LLM when configured, the case-based drafter, escalation. */
export function draftingChain(options: DraftingOptions): Drafting {
  const { catalog, primary, clock, metrics } = options;
  const fallback = options.fallback ?? new CaseBasedDrafter();
  return async (input) => {
    const record = await draftWithFallback(input, {
      primary,
      fallback,
      validate: (draft) =>
        validateDraft(draft, { catalog, incident: input.incident, evidence: input.evidence }),
      now: () => clock.now(),
    });
    metrics?.drafts.inc({ drafter: record.drafter.name, playbook: record.draft.playbook });
    metrics?.draftSeconds.observe({ drafter: record.drafter.name }, record.latencyMs / 1000);
    return record;
  };
}

export function defaultPromptsDir(): string {
  return fileURLToPath(new URL('../../prompts', import.meta.url));
}

type Provider = 'openai' | 'ollama' | 'anthropic';

function providerOf(llm: MedicConfig['llm']): Provider | null {
  if (llm.provider) return llm.provider;
  if (llm.openaiBaseUrl || llm.openaiApiKey) return 'openai';
  if (llm.ollamaUrl) return 'ollama';
  if (llm.anthropicApiKey) return 'anthropic';
  return null;
}

const baseUrlOf = (llm: MedicConfig['llm'], provider: Provider) =>
  provider === 'openai' ? llm.openaiBaseUrl : provider === 'ollama' ? llm.ollamaUrl : undefined;

const apiKeyOf = (llm: MedicConfig['llm'], provider: Provider) =>
  provider === 'openai' ? llm.openaiApiKey : provider === 'anthropic' ? llm.anthropicApiKey : undefined;

/** The configured LLM drafter, or null: with no model configured the case-based drafter drafts alone. */
export async function openPrimaryDrafter(config: MedicConfig, metrics?: Metrics): Promise<Drafter | null> {
  const { llm } = config;
  const provider = providerOf(llm);
  if (!provider || !llm.model) return null;
  const baseURL = baseUrlOf(llm, provider);
  const apiKey = apiKeyOf(llm, provider);
  const model = createChatModel({
    provider,
    model: llm.model,
    temperature: llm.temperature,
    maxTokens: llm.maxTokens,
    ...(baseURL ? { baseURL } : {}),
    ...(apiKey ? { apiKey } : {}),
  });
  return new LlmDrafter({
    model,
    modelName: llm.model,
    provider,
    templates: await loadPromptTemplates(llm.promptsDir ?? defaultPromptsDir()),
    promptContext: (input) =>
      draftPromptContext(input, { perItem: llm.untrustedItemChars, total: llm.untrustedTotalChars }),
    validate: (draft, input) => validateDraft(draft, input),
    method: llm.method,
    instructionsInUserMessage: llm.instructionsInUserMessage,
    timeoutMs: llm.timeoutMs,
    prices: llm.prices,
    onCall: (call) => {
      metrics?.llmCalls.observe({ model: call.model, outcome: call.outcome }, call.ms / 1000);
      metrics?.llmTokens.inc({ model: call.model, direction: 'input' }, call.inputTokens);
      metrics?.llmTokens.inc({ model: call.model, direction: 'output' }, call.outputTokens);
      metrics?.llmCost.inc({ model: call.model }, call.costUsd);
    },
  });
}
