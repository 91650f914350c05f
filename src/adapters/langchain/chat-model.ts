import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';

export type ChatProvider = 'openai' | 'ollama' | 'anthropic';

export interface ChatModelOptions {
  provider: ChatProvider;
  model: string;
  /** openai: up to and including /v1; ollama: the server root; anthropic: the API root. */
  baseURL?: string;
  /** Local OpenAI-compatible servers ignore it; a placeholder is sent when absent. */
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
}

/**
 * A LangChain chat model with LangChain's own retries off: the drafter's retry and breaker policy is
 * the only one, so its behaviour under 429/5xx is explicit and testable.
 */
export function createChatModel(options: ChatModelOptions): BaseChatModel {
  const temperature = options.temperature ?? 0;
  switch (options.provider) {
    case 'openai':
      return new ChatOpenAI({
        model: options.model,
        apiKey: options.apiKey ?? 'not-needed',
        temperature,
        maxRetries: 0,
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
        ...(options.baseURL ? { configuration: { baseURL: options.baseURL } } : {}),
      });
    case 'ollama':
      return new ChatOllama({
        model: options.model,
        temperature,
        maxRetries: 0,
        ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
        ...(options.maxTokens !== undefined ? { numPredict: options.maxTokens } : {}),
      });
    case 'anthropic':
      return new ChatAnthropic({
        model: options.model,
        temperature,
        maxRetries: 0,
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        ...(options.baseURL ? { anthropicApiUrl: options.baseURL } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      });
  }
}
