import {
  defaultHybridWeights,
  type HybridWeights,
  hybridScore,
  type StructuredFacts,
} from '../domain/memory/hybrid.js';
import { type SignatureInput, signatureText } from '../domain/memory/signature.js';
import type { Embedder } from '../ports/embedder.js';
import type { MemoryPayload, VectorFilter, VectorIndex } from '../ports/vector-index.js';

export interface SimilarIncident {
  incidentId: string;
  title: string;
  at: string;
  score: number;
  vectorScore: number;
  action: MemoryPayload['action'];
  outcome: MemoryPayload['outcome'];
  diagnosis: string;
}

export interface RetrieveDeps {
  index: VectorIndex;
  embedder: Embedder;
  k: number;
  /** Vector candidates re-ranked by the hybrid score; more than k so structure can lift a lower match. */
  candidates?: number;
  filter?: VectorFilter;
  weights?: HybridWeights;
}

/** The past incidents most like this one, with what was done and how it ended. */
export async function retrieveSimilar(
  signature: SignatureInput,
  facts: StructuredFacts,
  deps: RetrieveDeps,
): Promise<SimilarIncident[]> {
  const [vector] = await deps.embedder.embed([signatureText(signature)]);
  if (!vector) return [];
  const matches = await deps.index.query(vector, deps.candidates ?? Math.max(deps.k * 4, 20), deps.filter);
  return (
    matches
      // A vector from another embedder lives in another space: its score would be noise.
      .filter((match) => match.payload.embedder === deps.embedder.id)
      .map((match) => ({
        incidentId: match.payload.incidentId,
        title: match.payload.title,
        at: match.payload.at,
        vectorScore: match.score,
        score: hybridScore(match.score, facts, match.payload, deps.weights ?? defaultHybridWeights),
        action: match.payload.action,
        outcome: match.payload.outcome,
        diagnosis: match.payload.diagnosis,
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, deps.k)
  );
}
