import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/adapters/langchain/chat-model.js';
import { loadPromptTemplates, renderTemplate } from '../../src/adapters/langchain/prompts.js';
import { ErrorCodes } from '../../src/domain/errors.js';
import { draftPromptContext } from '../../src/drafting/untrusted.js';
import { testInput } from './llm-fixtures.js';
import { PROMPTS_DIR } from './llm-helpers.js';

describe('prompt templates', () => {
  it('fills every placeholder of the shipped prompts from the draft context', async () => {
    const templates = await loadPromptTemplates(PROMPTS_DIR);
    const context = draftPromptContext(testInput());
    const system = renderTemplate(templates.system, context);
    const user = renderTemplate(templates.user, context);
    expect(system).toContain('- id: escalate');
    expect(user).toContain('"namespace":"shop"');
    expect(user).toContain('Pod names: checkout-7d9f8-abcde');
    expect(`${system}${user}`).not.toMatch(/\{\{/);
    expect(renderTemplate(templates.repair, { problems: '- p', previous: '{}' })).toContain('- p');
  });

  it('never expands placeholders that arrive inside values', () => {
    expect(renderTemplate('a {{x}} b', { x: '{{y}}', y: 'leak' })).toBe('a {{y}} b');
  });

  it('refuses a placeholder without a value, and a missing template file', async () => {
    expect(() => renderTemplate('{{nope}}', {})).toThrow(/nope/);
    await expect(loadPromptTemplates(join(tmpdir(), 'medic-no-such-dir'))).rejects.toMatchObject({
      code: ErrorCodes.config,
    });
  });

  it('versions templates by content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-prompts-'));
    const write = (system: string) => {
      writeFileSync(join(dir, 'draft-system.md'), system);
      writeFileSync(join(dir, 'draft-user.md'), 'u');
      writeFileSync(join(dir, 'repair.md'), 'r');
    };
    write('one');
    const first = await loadPromptTemplates(dir);
    write('two');
    const second = await loadPromptTemplates(dir);
    expect(first.version).not.toBe(second.version);
  });
});

describe('createChatModel', () => {
  it('builds each provider with LangChain retries off', () => {
    const openai = createChatModel({ provider: 'openai', model: 'm', baseURL: 'http://127.0.0.1:1/v1' });
    const ollama = createChatModel({ provider: 'ollama', model: 'm', baseURL: 'http://127.0.0.1:1' });
    const anthropic = createChatModel({ provider: 'anthropic', model: 'claude-x', apiKey: 'k' });
    expect(openai).toBeInstanceOf(ChatOpenAI);
    expect(ollama).toBeInstanceOf(ChatOllama);
    expect(anthropic).toBeInstanceOf(ChatAnthropic);
    for (const model of [openai, ollama, anthropic]) {
      expect((model.caller as unknown as { maxRetries: number }).maxRetries).toBe(0);
    }
    expect((ollama as ChatOllama).baseUrl).toBe('http://127.0.0.1:1');
  });
});
