/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` server (OpenAI, vLLM, llama.cpp, LM Studio,
 * text-embeddings-inference, scripts/embed-server.py) through LangChain's OpenAIEmbeddings.
 */
import { OpenAIEmbeddings } from '@langchain/openai';
import { z } from 'zod';
import { LangChainEmbedder } from './langchain-embedder.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export const openAiEmbedderConfigSchema = z.strictObject({
  model: z.string().min(1),
  /** Up to and including `/v1`. */
  baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_OPENAI_BASE_URL),
  /** Local servers ignore it; a placeholder is sent when it is absent. */
  apiKey: z.string().min(1).optional(),
  /** Expected vector length; discovered from the first answer when absent. */
  dimension: z.number().int().positive().optional(),
  /** Ask the server to shorten vectors (OpenAI text-embedding-3-*); also sets `dimension`. */
  requestDimensions: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().max(2048).default(64),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().min(0).max(10).default(3),
  maxConcurrency: z.number().int().positive().default(2),
});

export type OpenAiEmbedderConfig = z.input<typeof openAiEmbedderConfigSchema>;

export function openAiEmbedderId(model: string, baseURL: string): string {
  return `openai:${model}@${new URL(baseURL).host}`;
}

export function createOpenAiEmbedder(input: OpenAiEmbedderConfig): LangChainEmbedder {
  const config = openAiEmbedderConfigSchema.parse(input);
  const embeddings = new OpenAIEmbeddings({
    model: config.model,
    apiKey: config.apiKey ?? 'not-needed',
    configuration: { baseURL: config.baseURL },
    batchSize: config.batchSize,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    maxConcurrency: config.maxConcurrency,
    ...(config.requestDimensions !== undefined ? { dimensions: config.requestDimensions } : {}),
  });
  return new LangChainEmbedder(embeddings, {
    id: openAiEmbedderId(config.model, config.baseURL),
    dimension: config.dimension ?? config.requestDimensions,
  });
}
