/** What a past incident is remembered with, beside its vector. Filterable fields are indexed. */
export interface MemoryPayload {
  incidentId: string;
  at: string;
  title: string;
  cluster: string;
  namespace: string | null;
  alertname: string;
  workloadKind: string | null;
  workloadName: string | null;
  /** e.g. OOMKilled, CrashLoopBackOff, ImagePullBackOff; null when none was seen. */
  terminationReason: string | null;
  summary: string;
  diagnosis: string;
  action: {
    playbook: string;
    target: { kind: string; namespace?: string; name: string } | null;
    params: Record<string, unknown>;
  };
  outcome: 'resolved' | 'failed' | 'rolled-back' | 'escalated';
  /** The text that was embedded, so the memory can be re-embedded when the embedder changes. */
  signature: string;
  /** Id of the embedder that made the vector; vectors of different embedders are not comparable. */
  embedder: string;
}

export interface VectorFilter {
  cluster?: string;
  namespace?: string;
}

export interface VectorMatch {
  payload: MemoryPayload;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface VectorIndex {
  /** Creates the collection/table for vectors of this size if needed; refuses a different size. */
  ensure(dimension: number): Promise<void>;
  /** Idempotent per incidentId: the same incident indexed again replaces its entry. */
  upsert(entries: ReadonlyArray<{ vector: Float32Array; payload: MemoryPayload }>): Promise<void>;
  query(vector: Float32Array, k: number, filter?: VectorFilter): Promise<VectorMatch[]>;
  count(): Promise<number>;
  /** Payloads, newest first. */
  list(limit: number): Promise<MemoryPayload[]>;
  /** Drops every entry (re-indexing after a change of embedder). */
  clear(): Promise<void>;
}
