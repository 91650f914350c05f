import { join } from 'node:path';
import { createOllamaEmbedder } from '../adapters/embeddings/ollama.js';
import { createOpenAiEmbedder } from '../adapters/embeddings/openai.js';
import { qdrantConfigSchema } from '../adapters/qdrant/config.js';
import { QdrantIndex } from '../adapters/qdrant/index.js';
import { SqliteVecIndex } from '../adapters/sqlite-vec/index.js';
import type { MedicConfig } from '../config/schema.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { HashingEmbedder } from '../domain/memory/hashing-embedder.js';
import type { Embedder } from '../ports/embedder.js';
import type { VectorIndex } from '../ports/vector-index.js';

export interface Memory {
  index: VectorIndex & { close(): Promise<void> };
  embedder: Embedder;
  /** Where the vectors live, for humans. */
  where: string;
}

/** The embedder the configuration asks for; the hashing embedder when nothing else is configured. */
export async function openEmbedder(config: MedicConfig): Promise<Embedder> {
  const { embedModel, openaiBaseUrl, openaiApiKey, ollamaUrl } = config.llm;
  const kind =
    config.memory.embedder ??
    (embedModel && ollamaUrl ? 'ollama' : embedModel && openaiBaseUrl ? 'openai' : 'hashing');
  if (kind === 'hashing') return new HashingEmbedder({ dimension: config.memory.dimension });
  if (!embedModel) {
    throw new MedicError(
      ErrorCodes.config,
      `memory.embedder: "${kind}" needs MEDIC_EMBED_MODEL (llm.embedModel)`,
      {
        key: 'memory.embedder',
      },
    );
  }
  const embedder =
    kind === 'ollama'
      ? createOllamaEmbedder({ model: embedModel, ...(ollamaUrl ? { baseUrl: ollamaUrl } : {}) })
      : createOpenAiEmbedder({
          model: embedModel,
          ...(openaiBaseUrl ? { baseURL: openaiBaseUrl } : {}),
          ...(openaiApiKey ? { apiKey: openaiApiKey } : {}),
        });
  await embedder.probe();
  return embedder;
}

/**
 * The similar-incident index: Qdrant when QDRANT_URL is set, otherwise sqlite-vec in its own SQLite
 * file beside medic.db. A separate file because better-sqlite3 is synchronous: the learn stage writing
 * vectors while a store transaction holds medic.db's write lock would block the event loop for the
 * whole busy timeout.
 */
export async function openMemory(config: MedicConfig): Promise<Memory> {
  const embedder = await openEmbedder(config);
  if (config.qdrant.url) {
    const index = new QdrantIndex(
      qdrantConfigSchema.parse({
        url: config.qdrant.url,
        collection: config.memory.collection,
        ...(config.qdrant.apiKey ? { apiKey: config.qdrant.apiKey } : {}),
      }),
    );
    return {
      index,
      embedder,
      where: `Qdrant collection ${config.memory.collection} at ${config.qdrant.url}`,
    };
  }
  const path = join(config.dataDir, 'memory.db');
  return { index: new SqliteVecIndex(path), embedder, where: `sqlite-vec in ${path}` };
}
