/**
 * Adapts a LangChain `Embeddings` (OpenAI-compatible, Ollama…) to the Embedder port: Float32Array
 * vectors, a dimension configured or discovered on the first call, and a check that every vector
 * the server returns has that dimension and is finite.
 */
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { Embedder } from '../../ports/embedder.js';

export class EmbeddingDimensionError extends Error {
  override readonly name = 'EmbeddingDimensionError';
}

export interface LangChainEmbedderOptions {
  id: string;
  /** Expected dimension; when absent it is taken from the first answer. */
  dimension?: number | undefined;
  /** Texts per embedDocuments call; for clients that do not batch on their own. Default: all at once. */
  batchSize?: number | undefined;
}

export class LangChainEmbedder implements Embedder {
  readonly id: string;
  private known: number | undefined;
  private readonly batchSize: number;

  constructor(
    private readonly embeddings: EmbeddingsInterface,
    options: LangChainEmbedderOptions,
  ) {
    this.id = options.id;
    this.known = options.dimension;
    this.batchSize = options.batchSize ?? Number.POSITIVE_INFINITY;
  }

  /** The configured or discovered dimension; 0 until the first successful call when not configured. */
  get dimension(): number {
    return this.known ?? 0;
  }

  /** Embeds one probe text when the dimension is still unknown, and returns it. */
  async probe(): Promise<number> {
    if (this.known === undefined) await this.embed(['dimension probe']);
    return this.dimension;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      const vectors = await this.embeddings.embedDocuments(batch);
      if (vectors.length !== batch.length) {
        throw new EmbeddingDimensionError(
          `${this.id}: asked for ${batch.length} vectors, got ${vectors.length}`,
        );
      }
      for (const vector of vectors) out.push(this.check(vector));
    }
    return out;
  }

  private check(vector: readonly number[]): Float32Array {
    const expected = this.known ?? vector.length;
    if (vector.length === 0 || vector.length !== expected) {
      throw new EmbeddingDimensionError(`${this.id}: expected ${expected} dimensions, got ${vector.length}`);
    }
    if (!vector.every(Number.isFinite)) throw new EmbeddingDimensionError(`${this.id}: non-finite value`);
    this.known = expected;
    return Float32Array.from(vector);
  }
}
