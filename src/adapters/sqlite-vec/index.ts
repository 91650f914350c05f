import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { MemoryPayload, VectorFilter, VectorIndex, VectorMatch } from '../../ports/vector-index.js';
import { blob, checkVector, codeBits, mismatch, notEnsured, signCode, sortableAt } from './codec.js';

export { mismatch, notEnsured } from './codec.js';

/** sqlite-vec refuses a KNN query whose k exceeds this. */
export const maxK = 4096;

export interface SqliteVecOptions {
  /** Prefix of the four tables this index owns in the file (default `memory`). */
  prefix?: string;
  /**
   * `exact` (default): KNN over the float vectors, exact cosine top-k; a full scan (sqlite-vec 0.1.9's
   * prebuilt extension has no SIMD for cosine): ~8 ms at 10k 384-d vectors, ~80 ms at 100k.
   * `binary`: KNN by Hamming distance over 1-bit sign codes (32x fewer bytes, popcount), then exact
   * cosine re-ranking of the best `oversample` × k candidates. Approximate: it finds near-duplicates
   * (the similar-incident case) reliably but misses weakly similar ones; for 50k+ incidents.
   */
  search?: 'exact' | 'binary';
  /** Candidates re-ranked per result in `binary` search (default 8, at least 32 candidates; the Hamming KNN costs grow with it). */
  oversample?: number;
}

export interface VectorIndexHealth {
  ok: boolean;
  detail: string;
}

type Row = { incident_id: string; distance: number; payload: string };

/**
 * Similar-incident index in a SQLite file, on sqlite-vec's `vec0` virtual table.
 *
 * Tables (prefix `memory`): `memory_vectors` (vec0: incident_id primary key, cluster and namespace as
 * metadata columns, the embedding with cosine distance, and its 1-bit sign code), `memory_payloads`
 * (incident id → `at`, payload JSON), `memory_vector_copies` (the float vectors again: binary search
 * re-ranks from them, as reading a vector back out of vec0 costs a whole chunk read per row) and
 * `memory_vec_meta` (the dimension). Cluster/namespace filters are vec0 metadata columns, applied
 * inside the KNN scan, so a filtered query still returns up to k matches (over-fetching and filtering
 * afterwards would return fewer whenever the top-k of the whole index is mostly other clusters).
 * A metadata column cannot hold NULL in sqlite-vec 0.1.9, so a null namespace is stored as ''.
 */
export class SqliteVecIndex implements VectorIndex {
  readonly #db: Database.Database;
  readonly #owned: boolean;
  readonly #vectors: string;
  readonly #payloads: string;
  readonly #meta: string;
  readonly #copies: string;
  /** undefined: not read yet; null: no index in the file. */
  #dimension: number | null | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #search: 'exact' | 'binary';
  readonly #oversample: number;

  /** Pass medic's open Database to share its file, or a path to open (and own) one. */
  constructor(db: Database.Database | string, options: SqliteVecOptions = {}) {
    const prefix = options.prefix ?? 'memory';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
      throw new MedicError(
        ErrorCodes.config,
        `Vector table prefix "${prefix}" must be a plain SQL identifier.`,
      );
    }
    this.#vectors = `${prefix}_vectors`;
    this.#payloads = `${prefix}_payloads`;
    this.#meta = `${prefix}_vec_meta`;
    this.#copies = `${prefix}_vector_copies`;
    this.#search = options.search ?? 'exact';
    this.#oversample = Math.max(1, Math.floor(options.oversample ?? 8));
    if (typeof db === 'string') {
      this.#db = new Database(db);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('busy_timeout = 15000');
      this.#owned = true;
    } else {
      this.#db = db;
      this.#owned = false;
    }
    try {
      sqliteVec.load(this.#db);
    } catch (error) {
      throw new MedicError(
        ErrorCodes.config,
        `Could not load the sqlite-vec extension (is the sqlite-vec-${process.platform}-${process.arch} package installed?): ${(error as Error).message}`,
        {},
        { cause: error },
      );
    }
  }

  async ensure(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension <= 0) {
      throw new MedicError(
        ErrorCodes.config,
        `Vector dimension must be a positive integer, got ${dimension}.`,
      );
    }
    this.#dimension = undefined; // another connection may have created or dropped it since
    this.#db.transaction(() => {
      const have = this.#readDimension();
      if (have !== null) {
        if (have !== dimension) throw mismatch(have, dimension);
        return;
      }
      this.#db.exec(`CREATE TABLE IF NOT EXISTS ${this.#meta} (
          id INTEGER PRIMARY KEY CHECK (id = 1), dimension INTEGER NOT NULL)`);
      this.#db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${this.#vectors} USING vec0(
          incident_id TEXT PRIMARY KEY, cluster TEXT, namespace TEXT,
          embedding float[${dimension}] distance_metric=cosine, coarse bit[${codeBits(dimension)}])`);
      this.#db.exec(`CREATE TABLE IF NOT EXISTS ${this.#payloads} (
          incident_id TEXT PRIMARY KEY, at TEXT NOT NULL, payload TEXT NOT NULL)`);
      this.#db.exec(`CREATE TABLE IF NOT EXISTS ${this.#copies} (
          incident_id TEXT PRIMARY KEY, vector BLOB NOT NULL)`);
      this.#db.exec(
        `CREATE INDEX IF NOT EXISTS ${this.#payloads}_at ON ${this.#payloads} (at DESC, incident_id)`,
      );
      this.#db.prepare(`INSERT INTO ${this.#meta} (id, dimension) VALUES (1, ?)`).run(dimension);
    })();
    this.#dimension = dimension;
    this.#statements.clear();
  }

  async upsert(entries: ReadonlyArray<{ vector: Float32Array; payload: MemoryPayload }>): Promise<void> {
    if (entries.length === 0) return;
    const dimension = this.#readDimension();
    if (dimension === null) throw notEnsured();
    for (const { vector, payload } of entries) checkVector(vector, dimension, payload.incidentId);
    const removeVector = this.#statement('delv', `DELETE FROM ${this.#vectors} WHERE incident_id = ?`);
    const insertVector = this.#statement(
      'insv',
      `INSERT INTO ${this.#vectors} (incident_id, cluster, namespace, embedding, coarse)
       VALUES (?, ?, ?, ?, vec_bit(?))`,
    );
    const putPayload = this.#statement(
      'insp',
      `INSERT OR REPLACE INTO ${this.#payloads} (incident_id, at, payload) VALUES (?, ?, ?)`,
    );
    const putCopy = this.#statement(
      'insc',
      `INSERT OR REPLACE INTO ${this.#copies} (incident_id, vector) VALUES (?, ?)`,
    );
    this.#db.transaction(() => {
      for (const { vector, payload } of entries) {
        removeVector.run(payload.incidentId);
        const { incidentId, cluster, namespace } = payload;
        insertVector.run(incidentId, cluster, namespace ?? '', blob(vector), signCode(vector));
        putPayload.run(incidentId, sortableAt(payload.at), JSON.stringify(payload));
        putCopy.run(incidentId, blob(vector));
      }
    })();
  }

  async query(vector: Float32Array, k: number, filter: VectorFilter = {}): Promise<VectorMatch[]> {
    const dimension = this.#readDimension();
    if (dimension === null || k <= 0) return [];
    checkVector(vector, dimension, 'the query');
    const where: string[] = [];
    const filters: string[] = [];
    if (filter.cluster !== undefined) {
      where.push('AND cluster = ?');
      filters.push(filter.cluster);
    }
    if (filter.namespace !== undefined) {
      where.push('AND namespace = ?');
      filters.push(filter.namespace);
    }
    const limit = Math.min(Math.floor(k), maxK);
    const binary = this.#search === 'binary';
    const knn = binary
      ? `WITH coarse AS MATERIALIZED (
          SELECT incident_id FROM ${this.#vectors}
          WHERE coarse MATCH vec_bit(?) AND k = ? ${where.join(' ')}),
        knn AS MATERIALIZED (
          SELECT c.incident_id, vec_distance_cosine(p.vector, ?) AS distance
          FROM coarse c JOIN ${this.#copies} p ON p.incident_id = c.incident_id
          ORDER BY distance LIMIT ?)`
      : `WITH knn AS MATERIALIZED (
          SELECT incident_id, distance FROM ${this.#vectors}
          WHERE embedding MATCH ? AND k = ? ${where.join(' ')})`;
    const params = binary
      ? [
          signCode(vector),
          Math.min(maxK, Math.max(32, limit * this.#oversample)),
          ...filters,
          blob(vector),
          limit,
        ]
      : [blob(vector), limit, ...filters];
    const sql = `${knn}
      SELECT knn.incident_id, knn.distance, p.payload FROM knn
      JOIN ${this.#payloads} p ON p.incident_id = knn.incident_id
      ORDER BY knn.distance, knn.incident_id`;
    const rows = this.#statement(`q:${this.#search}:${where.join()}`, sql).all(...params) as Row[];
    return rows.map((row) => ({
      payload: JSON.parse(row.payload) as MemoryPayload,
      score: 1 - row.distance,
    }));
  }

  async count(): Promise<number> {
    if (this.#readDimension() === null) return 0;
    const row = this.#statement('count', `SELECT count(*) AS n FROM ${this.#payloads}`).get() as {
      n: number;
    };
    return row.n;
  }

  async list(limit: number): Promise<MemoryPayload[]> {
    if (this.#readDimension() === null || limit <= 0) return [];
    const rows = this.#statement(
      'list',
      `SELECT payload FROM ${this.#payloads} ORDER BY at DESC, incident_id LIMIT ?`,
    ).all(Math.floor(limit)) as Array<{ payload: string }>;
    return rows.map((row) => JSON.parse(row.payload) as MemoryPayload);
  }

  /** Drops the tables and forgets the dimension: the next ensure() may pick a new one. */
  async clear(): Promise<void> {
    this.#statements.clear();
    this.#db.transaction(() => {
      this.#db.exec(`DROP TABLE IF EXISTS ${this.#vectors}`);
      this.#db.exec(`DROP TABLE IF EXISTS ${this.#payloads}`);
      this.#db.exec(`DROP TABLE IF EXISTS ${this.#copies}`);
      this.#db.exec(`DROP TABLE IF EXISTS ${this.#meta}`);
    })();
    this.#dimension = null;
  }

  async health(): Promise<VectorIndexHealth> {
    try {
      const { v } = this.#db.prepare('SELECT vec_version() AS v').get() as { v: string };
      const dimension = this.#readDimension();
      return {
        ok: true,
        detail: `sqlite-vec ${v}, ${dimension === null ? 'no index yet' : `${dimension}-d`}`,
      };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Closes the database only when this index opened it. */
  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#owned && this.#db.open) this.#db.close();
  }

  #readDimension(): number | null {
    if (this.#dimension !== undefined) return this.#dimension;
    const table = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(this.#meta) as unknown;
    const row = table
      ? (this.#db.prepare(`SELECT dimension FROM ${this.#meta} WHERE id = 1`).get() as
          | { dimension: number }
          | undefined)
      : undefined;
    this.#dimension = row ? row.dimension : null;
    return this.#dimension;
  }

  #statement(key: string, sql: string): Database.Statement {
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(key, statement);
    }
    return statement;
  }
}
