// npm run bench:retrieve — similar-incident retrieval on sqlite-vec at 10k and 100k incidents,
// against a brute-force cosine scan in plain JS over the same vectors (the baseline).
// Options (env): SIZES=10000,100000  QUERIES=200  K=5  DIM=384
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteVecIndex } from '../src/adapters/sqlite-vec/index.js';
import type { MemoryPayload } from '../src/ports/vector-index.js';

const DIM = Number(process.env['DIM'] ?? 384);
const QUERIES = Number(process.env['QUERIES'] ?? 200);
const K = Number(process.env['K'] ?? 5);
const SIZES = (process.env['SIZES'] ?? '10000,100000').split(',').map(Number);
const CLUSTERS = ['prod-eu', 'prod-us', 'staging'];
const BATCH = 1000;

/** mulberry32: a seeded PRNG, so every run indexes the same vectors. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random unit vector (Gaussian components via Box–Muller, then normalised) written at `into[offset]`. */
function randomUnit(rand: () => number, into: Float32Array, offset: number): void {
  let norm = 0;
  for (let i = 0; i < DIM; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    into[offset + i] = g;
    norm += g * g;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIM; i++) into[offset + i] = (into[offset + i] ?? 0) / norm;
}

function payload(i: number, rand: () => number): MemoryPayload {
  const namespace = `ns-${Math.floor(rand() * 20)}`;
  return {
    incidentId: `inc-${i}`,
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    title: `incident ${i}: pod crash looping`,
    cluster: CLUSTERS[i % CLUSTERS.length] ?? 'prod-eu',
    namespace,
    alertname: 'KubePodCrashLooping',
    workloadKind: 'Deployment',
    workloadName: `svc-${i % 500}`,
    terminationReason: i % 3 === 0 ? 'OOMKilled' : null,
    summary: 'restarts after deploy; memory grows linearly until the limit',
    diagnosis: 'memory limit below working set under current traffic',
    action: {
      playbook: 'set-resources',
      target: { kind: 'Deployment', namespace, name: `svc-${i % 500}` },
      params: { container: 'app', 'limits.memory': '1Gi' },
    },
    outcome: 'resolved',
    signature: 'bench',
    embedder: 'bench',
  };
}

/** Exact top-k by dot product (= cosine for unit vectors) over a flat array of n vectors. */
function bruteForce(all: Float32Array, n: number, q: Float32Array, k: number): number[] {
  const best: Array<{ i: number; s: number }> = [];
  for (let v = 0; v < n; v++) {
    const base = v * DIM;
    let s = 0;
    for (let d = 0; d < DIM; d++) s += (all[base + d] as number) * (q[d] as number);
    if (best.length < k || s > (best[best.length - 1]?.s ?? -2)) {
      let at = best.length;
      while (at > 0 && (best[at - 1]?.s ?? 0) < s) at--;
      best.splice(at, 0, { i: v, s });
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timed(queries: Float32Array[], run: (q: Float32Array) => Promise<unknown> | unknown) {
  const ms: number[] = [];
  for (const q of queries) {
    const start = process.hrtime.bigint();
    await run(q);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const rows: string[][] = [];
const builds: string[] = [];

for (const n of SIZES) {
  const rand = prng(42);
  const all = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) randomUnit(rand, all, i * DIM);
  const queries = Array.from({ length: QUERIES }, () => {
    const q = new Float32Array(DIM);
    randomUnit(rand, q, 0);
    return q;
  });

  const dir = mkdtempSync(join(tmpdir(), 'medic-bench-retrieve-'));
  const path = join(dir, 'medic.db');
  const index = new SqliteVecIndex(path);
  try {
    await index.ensure(DIM);
    const buildStart = performance.now();
    for (let start = 0; start < n; start += BATCH) {
      const entries = [];
      for (let i = start; i < Math.min(n, start + BATCH); i++) {
        entries.push({ vector: all.subarray(i * DIM, (i + 1) * DIM), payload: payload(i, rand) });
      }
      await index.upsert(entries);
    }
    const buildMs = performance.now() - buildStart;
    await index.close();
    const sizeMb =
      (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 2 ** 20;
    const exact = new SqliteVecIndex(path);
    const binary = new SqliteVecIndex(path, { search: 'binary' });
    // "Similar incident" queries: an indexed vector plus noise (cosine ≈ 0.9 to it).
    const sourceOf = (j: number) => (j * 7919) % n;
    const nearDuplicates = queries.map((q, j) => {
      const v = all.subarray(sourceOf(j) * DIM, (sourceOf(j) + 1) * DIM).map((x, d) => x + 0.5 * (q[d] ?? 0));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    /** Share of the exact top-k (JS brute force) that the index returns, over 50 random queries. */
    const recall = async (index: SqliteVecIndex) => {
      let hits = 0;
      for (const q of queries.slice(0, 50)) {
        const got = new Set((await index.query(q, K)).map((m) => m.payload.incidentId));
        hits += bruteForce(all, n, q, K).filter((i) => got.has(`inc-${i}`)).length;
      }
      return `${((100 * hits) / (50 * K)).toFixed(0)}%`;
    };
    /** Share of near-duplicate queries whose source incident comes first. */
    const found = async (index: SqliteVecIndex) => {
      let hits = 0;
      for (const [j, q] of nearDuplicates.entries()) {
        const [best] = await index.query(q, K);
        if (best?.payload.incidentId === `inc-${sourceOf(j)}`) hits++;
      }
      return `${((100 * hits) / nearDuplicates.length).toFixed(0)}%`;
    };

    for (const [name, index] of [
      ['sqlite-vec exact', exact],
      ['sqlite-vec binary+rerank', binary],
    ] as const) {
      for (const q of queries.slice(0, 5)) await index.query(q, K); // warm-up
      const unfiltered = await timed(queries, (q) => index.query(q, K));
      const filtered = await timed(queries, (q) => index.query(q, K, { cluster: 'prod-us' }));
      rows.push([
        String(n),
        name,
        `${fmt(unfiltered.p50)} / ${fmt(unfiltered.p99)}`,
        `${fmt(filtered.p50)} / ${fmt(filtered.p99)}`,
        await recall(index),
        await found(index),
      ]);
    }
    const brute = await timed(queries, (q) => bruteForce(all, n, q, K));
    rows.push([
      String(n),
      'JS brute force (baseline)',
      `${fmt(brute.p50)} / ${fmt(brute.p99)}`,
      '',
      '100%',
      '100%',
    ]);
    builds.push(`${n}: build ${(buildMs / 1000).toFixed(1)} s, file ${sizeMb.toFixed(1)} MiB`);
    await exact.close();
    await binary.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const header = [
  'vectors',
  'search',
  'p50 / p99',
  'cluster-filtered p50 / p99',
  'recall@k (random q)',
  'near-dup found #1',
];
console.log(`retrieve: ${DIM}-d random unit vectors, ${QUERIES} queries, k=${K}, node ${process.version}`);
for (const line of builds) console.log(line);
const widths = [8, 26, 22, 28, 20, 18];
for (const row of [header, ...rows])
  console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join(' '));
