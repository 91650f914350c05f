import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { MemoryPayload, VectorIndex } from '../../src/ports/vector-index.js';

export interface VectorIndexHandle {
  index: VectorIndex;
  close(): Promise<void>;
}

const DIM = 8;

export function payload(incidentId: string, over: Partial<MemoryPayload> = {}): MemoryPayload {
  return {
    incidentId,
    at: '2026-03-01T10:00:00.000Z',
    title: `incident ${incidentId}`,
    cluster: 'prod',
    namespace: 'shop',
    alertname: 'KubePodCrashLooping',
    workloadKind: 'Deployment',
    workloadName: 'checkout',
    terminationReason: 'OOMKilled',
    summary: 'checkout restarts',
    diagnosis: 'memory limit too low',
    action: {
      playbook: 'set-resources',
      target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
      params: { container: 'app', 'limits.memory': '1Gi' },
    },
    outcome: 'resolved',
    signature: 'alert: KubePodCrashLooping',
    embedder: 'test-embedder',
    ...over,
  };
}

/** A unit vector pointing mostly along axis `axis`, tilted towards axis+1 by `tilt`. */
export function unit(axis: number, tilt = 0, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[axis % dim] = 1;
  v[(axis + 1) % dim] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

export function vectorIndexContract(name: string, open: () => Promise<VectorIndexHandle>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let handle: VectorIndexHandle;
    let index: VectorIndex;

    beforeEach(async () => {
      handle = await open();
      index = handle.index;
      await index.clear();
      await index.ensure(DIM);
    });
    afterEach(async () => {
      await handle.close();
    });

    it('ensure is idempotent for the same dimension and refuses another one with MEDIC_E_CONFIG', async () => {
      await index.ensure(DIM);
      const error = await index.ensure(DIM * 2).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MedicError);
      expect((error as MedicError).code).toBe(ErrorCodes.config);
      expect((error as MedicError).message).toMatch(new RegExp(`${DIM}.*${DIM * 2}`));
    });

    it('refuses a vector of the wrong size', async () => {
      await expect(
        index.upsert([{ vector: new Float32Array(DIM + 1), payload: payload('x') }]),
      ).rejects.toThrow(MedicError);
    });

    it('upsert is idempotent per incidentId and replaces the payload and vector', async () => {
      await index.upsert([{ vector: unit(0), payload: payload('inc-1', { title: 'first' }) }]);
      await index.upsert([
        { vector: unit(3), payload: payload('inc-1', { title: 'second', namespace: null }) },
      ]);
      expect(await index.count()).toBe(1);
      const [match] = await index.query(unit(3), 5);
      expect(match?.payload).toEqual(payload('inc-1', { title: 'second', namespace: null }));
      expect(match?.score).toBeCloseTo(1, 5);
      expect(await index.query(unit(3), 5, { namespace: 'shop' })).toEqual([]);
    });

    it('returns the top k ordered by similarity, with cosine scores', async () => {
      const tilts = [0, 0.2, 0.5, 1, 3];
      await index.upsert(tilts.map((tilt, i) => ({ vector: unit(0, tilt), payload: payload(`inc-${i}`) })));
      await index.upsert([{ vector: unit(4), payload: payload('far') }]);
      const query = unit(0);
      const matches = await index.query(query, 3);
      expect(matches.map((m) => m.payload.incidentId)).toEqual(['inc-0', 'inc-1', 'inc-2']);
      for (const [i, m] of matches.entries()) {
        expect(m.score).toBeCloseTo(cosine(query, unit(0, tilts[i] ?? 0)), 4);
      }
      const scores = matches.map((m) => m.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });

    it('returns everything when k exceeds the count, and nothing for k = 0', async () => {
      await index.upsert([0, 1, 2].map((i) => ({ vector: unit(i), payload: payload(`inc-${i}`) })));
      const matches = await index.query(unit(1), 50);
      expect(matches).toHaveLength(3);
      expect(matches[0]?.payload.incidentId).toBe('inc-1');
      expect(matches[2]?.score).toBeCloseTo(0, 5);
      expect(await index.query(unit(1), 0)).toEqual([]);
    });

    it('filters by cluster and by namespace, and still returns k matches when filtered', async () => {
      const entries = [
        { vector: unit(0, 0), payload: payload('a', { cluster: 'prod', namespace: 'shop' }) },
        { vector: unit(0, 0.1), payload: payload('b', { cluster: 'prod', namespace: 'pay' }) },
        { vector: unit(0, 0.2), payload: payload('c', { cluster: 'staging', namespace: 'shop' }) },
        { vector: unit(0, 5), payload: payload('d', { cluster: 'staging', namespace: 'shop' }) },
        { vector: unit(0, 9), payload: payload('e', { cluster: 'prod', namespace: null }) },
      ];
      await index.upsert(entries);
      const ids = async (filter: { cluster?: string; namespace?: string }, k = 10) =>
        (await index.query(unit(0), k, filter)).map((m) => m.payload.incidentId);
      expect(await ids({ cluster: 'prod' })).toEqual(['a', 'b', 'e']);
      expect(await ids({ cluster: 'staging' }, 2)).toEqual(['c', 'd']);
      expect(await ids({ namespace: 'shop' })).toEqual(['a', 'c', 'd']);
      expect(await ids({ cluster: 'staging', namespace: 'shop' }, 1)).toEqual(['c']);
      expect(await ids({ cluster: 'prod', namespace: 'shop' })).toEqual(['a']);
      expect(await ids({ cluster: 'nowhere' })).toEqual([]);
    });

    it('lists payloads newest first, up to the limit', async () => {
      expect(await index.list(10)).toEqual([]);
      const ats = ['2026-03-01T10:00:00.000Z', '2026-03-03T09:00:00.000Z', '2026-03-02T08:00:00.000Z'];
      await index.upsert(ats.map((at, i) => ({ vector: unit(i), payload: payload(`inc-${i}`, { at }) })));
      expect((await index.list(2)).map((p) => p.incidentId)).toEqual(['inc-1', 'inc-2']);
      await index.upsert([
        { vector: unit(0), payload: payload('inc-0', { at: '2026-03-04T00:00:00.000Z' }) },
      ]);
      const all = await index.list(10);
      expect(all.map((p) => p.incidentId)).toEqual(['inc-0', 'inc-1', 'inc-2']);
      expect(all[0]).toEqual(payload('inc-0', { at: '2026-03-04T00:00:00.000Z' }));
      expect(await index.list(0)).toEqual([]);
    });

    it('clear drops every entry; a new dimension may then be ensured', async () => {
      await index.upsert([0, 1].map((i) => ({ vector: unit(i), payload: payload(`inc-${i}`) })));
      expect(await index.count()).toBe(2);
      await index.clear();
      expect(await index.count()).toBe(0);
      expect(await index.query(unit(0), 5)).toEqual([]);
      expect(await index.list(5)).toEqual([]);
      await index.ensure(DIM * 2);
      await index.upsert([{ vector: unit(0, 0, DIM * 2), payload: payload('inc-9') }]);
      expect(await index.count()).toBe(1);
    });

    it('round-trips Float32Array vectors: an identical vector scores about 1', async () => {
      const vector = Float32Array.from({ length: DIM }, (_, i) => Math.sin(i + 1) * 0.37);
      const backing = new Float32Array(DIM + 4);
      backing.set(vector, 2);
      const view = backing.subarray(2, 2 + DIM);
      await index.upsert([{ vector: view, payload: payload('inc-rt') }]);
      await index.upsert([{ vector: unit(5), payload: payload('other') }]);
      const [best] = await index.query(Float32Array.from(vector), 1);
      expect(best?.payload.incidentId).toBe('inc-rt');
      expect(best?.score).toBeCloseTo(1, 5);
      const opposite = await index.query(
        vector.map((x) => -x),
        2,
        { cluster: 'prod', namespace: 'shop' },
      );
      expect(opposite.at(-1)?.payload.incidentId).toBe('inc-rt');
      expect(opposite.at(-1)?.score).toBeCloseTo(-1, 5);
    });
  });
}
