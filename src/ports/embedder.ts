export interface Embedder {
  /** Stable name of the model and its settings; a change of id means the index must be rebuilt. */
  readonly id: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
