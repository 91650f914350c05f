/** Embeddings from an Ollama server's `/api/embed` through LangChain's OllamaEmbeddings. */
import { OllamaEmbeddings } from '@langchain/ollama';
import { z } from 'zod';
import { LangChainEmbedder } from './langchain-embedder.js';

export const ollamaEmbedderConfigSchema = z.strictObject({
  model: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
  dimension: z.number().int().positive().optional(),
  /** OllamaEmbeddings sends all texts in one request; this splits them. */
  batchSize: z.number().int().positive().default(64),
  maxRetries: z.number().int().min(0).max(10).default(3),
});

export type OllamaEmbedderConfig = z.input<typeof ollamaEmbedderConfigSchema>;

export function createOllamaEmbedder(input: OllamaEmbedderConfig): LangChainEmbedder {
  const config = ollamaEmbedderConfigSchema.parse(input);
  const embeddings = new OllamaEmbeddings({
    model: config.model,
    baseUrl: config.baseUrl,
    maxRetries: config.maxRetries,
  });
  return new LangChainEmbedder(embeddings, {
    id: `ollama:${config.model}@${new URL(config.baseUrl).host}`,
    dimension: config.dimension,
    batchSize: config.batchSize,
  });
}
