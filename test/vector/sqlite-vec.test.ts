import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteVecIndex } from '../../src/adapters/sqlite-vec/index.js';
import { ErrorCodes } from '../../src/domain/errors.js';
import { payload, unit, vectorIndexContract } from './vector-index-contract.js';

vectorIndexContract('sqlite-vec', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-vec-'));
  const index = new SqliteVecIndex(join(dir, 'medic.db'));
  return {
    index,
    async close() {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteVecIndex', () => {
  it('shares an open Database and remembers the dimension across connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-vec-'));
    const path = join(dir, 'medic.db');
    try {
      const db = new Database(path);
      db.exec('CREATE TABLE incidents (id TEXT PRIMARY KEY)');
      const first = new SqliteVecIndex(db);
      await first.ensure(8);
      await first.upsert([{ vector: unit(0), payload: payload('inc-1') }]);
      await first.close();
      expect(db.open).toBe(true);
      db.close();

      const second = new SqliteVecIndex(path);
      expect(await second.count()).toBe(1);
      await expect(second.ensure(16)).rejects.toMatchObject({ code: ErrorCodes.config });
      const [match] = await second.query(unit(0), 1);
      expect(match?.payload.incidentId).toBe('inc-1');
      expect((await second.health()).detail).toMatch(/^sqlite-vec v0\.1\.\d+, 8-d$/);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses upsert before ensure with MEDIC_E_CONFIG, and a non-identifier prefix', async () => {
    const index = new SqliteVecIndex(':memory:');
    await expect(index.upsert([{ vector: unit(0), payload: payload('x') }])).rejects.toMatchObject({
      code: ErrorCodes.config,
    });
    expect(await index.count()).toBe(0);
    await index.close();
    expect(() => new SqliteVecIndex(':memory:', { prefix: 'x; DROP' })).toThrow(/identifier/);
  });
});

vectorIndexContract('sqlite-vec, binary search + re-ranking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-vec-'));
  const index = new SqliteVecIndex(join(dir, 'medic.db'), { search: 'binary' });
  return {
    index,
    async close() {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteVecIndex binary search', () => {
  it('finds a near-duplicate among many and scores it by exact cosine; odd dimensions work', async () => {
    const dim = 100;
    const index = new SqliteVecIndex(':memory:', { search: 'binary', oversample: 4 });
    await index.ensure(dim);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    const vectors = Array.from({ length: 2000 }, () => Float32Array.from({ length: dim }, rand));
    await index.upsert(vectors.map((vector, i) => ({ vector, payload: payload(`inc-${i}`) })));
    const target = vectors[1234] ?? new Float32Array(dim);
    const query = target.map((x) => x + rand() * 0.1);
    const [best] = await index.query(query, 3);
    expect(best?.payload.incidentId).toBe('inc-1234');
    const dot = query.reduce((sum, x, i) => sum + x * (target[i] ?? 0), 0);
    expect(best?.score).toBeCloseTo(dot / (Math.hypot(...query) * Math.hypot(...target)), 5);
    await index.close();
  });
});
