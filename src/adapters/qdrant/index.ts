import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { MemoryPayload, VectorFilter, VectorIndex, VectorMatch } from '../../ports/vector-index.js';
import type { QdrantConfig } from './config.js';
import { incidentPointId } from './uuid-v5.js';

export { type QdrantConfig, type QdrantConfigInput, qdrantConfigSchema } from './config.js';
export { INCIDENT_NAMESPACE, incidentPointId, uuidV5 } from './uuid-v5.js';

/** Payload indexes: keyword on the fields medic filters on, datetime on `at` (list() orders by it). */
export const payloadIndexes = {
  cluster: 'keyword',
  namespace: 'keyword',
  alertname: 'keyword',
  at: 'datetime',
} as const;

/** Points per upsert request. */
const UPSERT_BATCH = 256;

export interface QdrantIndexHealth {
  ok: boolean;
  detail: string;
}

/**
 * Similar-incident index in a Qdrant collection (cosine distance, one unnamed vector per point).
 * Point ids are UUIDv5 of the incident id, so indexing an incident again replaces its point.
 * clear() drops the collection, so the next ensure() may pick a new dimension.
 */
export class QdrantIndex implements VectorIndex {
  readonly #client: QdrantClient;
  readonly #collection: string;
  readonly #url: string;
  #dimension: number | null = null;

  constructor(config: QdrantConfig, client?: QdrantClient) {
    this.#collection = config.collection;
    this.#url = config.url;
    this.#client =
      client ??
      new QdrantClient({
        url: config.url,
        ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
        timeout: config.timeoutMs,
        checkCompatibility: false,
      });
  }

  async ensure(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension <= 0) {
      throw new MedicError(
        ErrorCodes.config,
        `Vector dimension must be a positive integer, got ${dimension}.`,
      );
    }
    let info = await this.#info();
    if (!info) {
      try {
        await this.#client.createCollection(this.#collection, {
          vectors: { size: dimension, distance: 'Cosine' },
        });
      } catch (error) {
        // Another worker may have created it in the meantime: fall through to the size check.
        info = await this.#info();
        if (!info) throw this.#upstream('create the collection', error);
      }
      info ??= await this.#info();
    }
    const size = vectorSize(info);
    if (size !== null && size !== dimension) throw mismatch(this.#collection, size, dimension);
    const indexed = info?.payload_schema ?? {};
    for (const [field, schema] of Object.entries(payloadIndexes)) {
      if (indexed[field]) continue;
      await this.#call(`index the payload field ${field}`, () =>
        this.#client.createPayloadIndex(this.#collection, {
          field_name: field,
          field_schema: schema,
          wait: true,
        }),
      );
    }
    this.#dimension = dimension;
  }

  async upsert(entries: ReadonlyArray<{ vector: Float32Array; payload: MemoryPayload }>): Promise<void> {
    if (entries.length === 0) return;
    const dimension = await this.#requireDimension();
    for (const { vector, payload } of entries) checkVector(vector, dimension, payload.incidentId);
    for (let start = 0; start < entries.length; start += UPSERT_BATCH) {
      const points = entries.slice(start, start + UPSERT_BATCH).map(({ vector, payload }) => ({
        id: incidentPointId(payload.incidentId),
        vector: Array.from(vector),
        payload: { ...payload },
      }));
      await this.#call('upsert points', () => this.#client.upsert(this.#collection, { wait: true, points }));
    }
  }

  async query(vector: Float32Array, k: number, filter: VectorFilter = {}): Promise<VectorMatch[]> {
    if (k <= 0) return [];
    if (this.#dimension !== null) checkVector(vector, this.#dimension, 'the query');
    const must = [
      ...(filter.cluster === undefined ? [] : [{ key: 'cluster', match: { value: filter.cluster } }]),
      ...(filter.namespace === undefined ? [] : [{ key: 'namespace', match: { value: filter.namespace } }]),
    ];
    const result = await this.#call(
      'query points',
      () =>
        this.#client.query(this.#collection, {
          query: Array.from(vector),
          ...(must.length > 0 ? { filter: { must } } : {}),
          limit: Math.floor(k),
          with_payload: true,
        }),
      null,
    );
    return (result?.points ?? []).map((point) => ({
      payload: point.payload as unknown as MemoryPayload,
      score: point.score,
    }));
  }

  async count(): Promise<number> {
    const result = await this.#call(
      'count points',
      () => this.#client.count(this.#collection, { exact: true }),
      null,
    );
    return result?.count ?? 0;
  }

  async list(limit: number): Promise<MemoryPayload[]> {
    if (limit <= 0) return [];
    const result = await this.#call(
      'list points',
      () =>
        this.#client.scroll(this.#collection, {
          limit: Math.floor(limit),
          with_payload: true,
          with_vector: false,
          order_by: { key: 'at', direction: 'desc' },
        }),
      null,
    );
    return (result?.points ?? []).map((point) => point.payload as unknown as MemoryPayload);
  }

  async clear(): Promise<void> {
    await this.#call('delete the collection', () => this.#client.deleteCollection(this.#collection), false);
    this.#dimension = null;
  }

  async health(): Promise<QdrantIndexHealth> {
    try {
      const info = await this.#info();
      const size = vectorSize(info);
      return {
        ok: true,
        detail: info
          ? `collection ${this.#collection}, ${size ?? '?'}-d`
          : `collection ${this.#collection} not created yet`,
      };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Nothing to release: the client holds no connection that outlives a request. */
  async close(): Promise<void> {}

  async #info(): Promise<Schemas['CollectionInfo'] | null> {
    return this.#call('read the collection', () => this.#client.getCollection(this.#collection), null);
  }

  async #requireDimension(): Promise<number> {
    if (this.#dimension !== null) return this.#dimension;
    const size = vectorSize(await this.#info());
    if (size === null) {
      throw new MedicError(
        ErrorCodes.config,
        `Qdrant collection ${this.#collection} does not exist yet: call ensure(dimension) first.`,
      );
    }
    this.#dimension = size;
    return size;
  }

  /** Runs one client call; a 404 (no such collection) yields `onMissing` when given, else an error. */
  async #call<T, M = never>(what: string, run: () => Promise<T>, ...onMissing: [M] | []): Promise<T | M> {
    try {
      return await run();
    } catch (error) {
      if (onMissing.length === 1 && statusOf(error) === 404) return onMissing[0];
      throw this.#upstream(what, error);
    }
  }

  #upstream(what: string, error: unknown): MedicError {
    const status = statusOf(error);
    const reason = qdrantReason(error) ?? (error as Error).message;
    const code =
      status !== null && status >= 400 && status < 500 ? ErrorCodes.storage : ErrorCodes.upstreamUnavailable;
    return new MedicError(
      code,
      `Qdrant at ${this.#url} could not ${what} in collection ${this.#collection}${status === null ? '' : ` (HTTP ${status})`}: ${reason}`,
      { collection: this.#collection, ...(status === null ? {} : { status }) },
      { cause: error },
    );
  }
}

function vectorSize(info: Schemas['CollectionInfo'] | null | undefined): number | null {
  const vectors = info?.config.params.vectors as { size?: unknown } | undefined;
  return typeof vectors?.size === 'number' ? vectors.size : null;
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** The `status.error` text of a Qdrant error body, when the client kept it. */
function qdrantReason(error: unknown): string | null {
  const data = (error as { data?: { status?: { error?: unknown } } } | null)?.data;
  const reason = data?.status?.error;
  return typeof reason === 'string' ? reason : null;
}

function checkVector(vector: Float32Array, dimension: number, what: string): void {
  if (vector.length !== dimension) {
    throw new MedicError(
      ErrorCodes.config,
      `Vector for ${what} has ${vector.length} dimensions but the index holds ${dimension}: the embedder changed; clear the index and re-index.`,
      { expected: dimension, got: vector.length },
    );
  }
}

function mismatch(collection: string, have: number, want: number): MedicError {
  return new MedicError(
    ErrorCodes.config,
    `Qdrant collection ${collection} holds ${have}-dimensional vectors but the embedder produces ${want}. ` +
      'Clear the index and re-index past incidents with the new embedder, use another collection, or configure the previous embedder.',
    { collection, expected: have, got: want },
  );
}
