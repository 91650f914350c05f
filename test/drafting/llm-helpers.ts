import { join } from 'node:path';
import { createChatModel } from '../../src/adapters/langchain/chat-model.js';
import { LlmDrafter, type LlmDrafterOptions } from '../../src/adapters/langchain/llm-drafter.js';
import { loadPromptTemplates } from '../../src/adapters/langchain/prompts.js';
import { draftPromptContext } from '../../src/drafting/untrusted.js';
import { validateDraft } from '../../src/drafting/validate.js';

export const PROMPTS_DIR = join(import.meta.dirname, '..', '..', 'prompts');

/** The production wiring of LlmDrafter (ChatOpenAI, prompts/ files, real validation) against `baseURL`. */
export async function openAiDrafter(
  baseURL: string,
  overrides: Partial<LlmDrafterOptions> = {},
  model = 'test-model',
): Promise<LlmDrafter> {
  return new LlmDrafter({
    model: createChatModel({ provider: 'openai', model, baseURL, apiKey: 'sk-test' }),
    modelName: model,
    provider: 'openai',
    templates: await loadPromptTemplates(PROMPTS_DIR),
    promptContext: draftPromptContext,
    validate: validateDraft,
    method: 'functionCalling',
    prices: { 'test-model': { inputPerMTok: 2, outputPerMTok: 8 } },
    timeoutMs: 2_000,
    resilience: {
      maxAttempts: 3,
      initialDelayMs: 10,
      maxDelayMs: 200,
      breakerThreshold: 3,
      halfOpenAfterMs: 60_000,
    },
    ...overrides,
  });
}
