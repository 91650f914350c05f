// npm run bench:embed — similar-incident retrieval quality (similar@3) over the eval suite's histories: the
// hashing embedder (the baseline) against all-MiniLM-L6-v2 served by scripts/embed-server.py through
// OpenAIEmbeddings. Each case: the real gather stage on its world, then the real retrieve stage (hybrid
// score) over a fresh sqlite-vec index of the case's own history (4–5 incidents, as `medic eval` does) and
// over one pooled index of every case's history (ids prefixed by case), where the other cases are decoys.
// Options (env): CASES=<glob on case folder or id>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAiEmbedder } from '../src/adapters/embeddings/openai.js';
import { SqliteVecIndex } from '../src/adapters/sqlite-vec/index.js';
import { configSchema } from '../src/config/schema.js';
import { HashingEmbedder } from '../src/domain/memory/hashing-embedder.js';
import { similarRecallAt3 } from '../src/evals/score.js';
import { type LoadedCase, loadCases } from '../src/main/eval/load-cases.js';
import { importHistory } from '../src/pipeline/memory.js';
import type { Embedder } from '../src/ports/embedder.js';
import { gatherCase } from './embed-case.js';
import { startEmbedServer } from './embed-server.js';
import { percentile } from './execute-timing.js';

const K = 3;
const ROOT = join(import.meta.dirname, '..', 'evals', 'cases');

/** An embedder that records the wall time of every call and how many texts it embedded. */
class TimedEmbedder implements Embedder {
  ms = 0;
  texts = 0;
  /** Wall time of single-text calls: a query signature at retrieve time. */
  readonly queries: number[] = [];

  constructor(private readonly inner: Embedder) {}

  get id(): string {
    return this.inner.id;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const start = performance.now();
    const vectors = await this.inner.embed(texts);
    const ms = performance.now() - start;
    this.ms += ms;
    this.texts += texts.length;
    if (texts.length === 1) this.queries.push(ms);
    return vectors;
  }
}

interface Row {
  id: string;
  expected: number;
  recall: Record<string, number | null>;
  top: Record<string, string[]>;
}

const config = configSchema.parse({});
const entries = await loadCases(ROOT, process.env['CASES'] ? { filter: process.env['CASES'] } : {});
const cases: LoadedCase[] = [];
for (const entry of entries) {
  if (entry.ok) cases.push(entry.case);
  else console.warn(`skipped ${entry.id}: ${entry.error}`);
}

const pooledId = (caseId: string, id: string) => `${caseId}/${id}`;
const pooledHistory = cases.flatMap((c) =>
  c.history.map((entry) => ({ ...entry, id: pooledId(c.id, entry.id) })),
);
const POOLED = ' pooled';

const server = await startEmbedServer();
const scratch = mkdtempSync(join(tmpdir(), 'medic-bench-embed-'));
const pooled = new Map<string, SqliteVecIndex>();
const rows: Row[] = [];
const embedders: Array<{ name: string; embedder: TimedEmbedder }> = [];
try {
  const minilm = createOpenAiEmbedder({ model: 'all-MiniLM-L6-v2', baseURL: server.baseURL });
  await minilm.probe(); // learns the dimension (and loads the model) before anything is timed
  embedders.push(
    {
      name: 'hashing (baseline)',
      embedder: new TimedEmbedder(new HashingEmbedder({ dimension: config.memory.dimension })),
    },
    { name: 'all-MiniLM-L6-v2', embedder: new TimedEmbedder(minilm) },
  );
  for (const [i, { name, embedder }] of embedders.entries()) {
    const index = new SqliteVecIndex(join(scratch, `pooled-${i}.db`));
    await importHistory(pooledHistory, { index, embedder });
    pooled.set(name, index);
  }
  for (const loaded of cases) {
    const gathered = await gatherCase(loaded, config);
    try {
      const expected = loaded.spec.expect.similar;
      const row: Row = { id: loaded.id, expected: expected.length, recall: {}, top: {} };
      for (const { name, embedder } of embedders) {
        const own = gathered.incidentId === null ? null : await gathered.similar(embedder, K);
        row.recall[name] = own === null ? null : similarRecallAt3(expected, own);
        row.top[name] = own ?? [];
        const all =
          gathered.incidentId === null ? null : await gathered.similar(embedder, K, pooled.get(name));
        row.recall[name + POOLED] =
          all === null
            ? null
            : similarRecallAt3(
                expected.map((id) => pooledId(loaded.id, id)),
                all,
              );
        row.top[name + POOLED] = all ?? [];
      }
      rows.push(row);
    } finally {
      await gathered.close();
    }
  }
} finally {
  for (const index of pooled.values()) await index.close();
  rmSync(scratch, { recursive: true, force: true });
  await server.close();
}

const scored = rows.filter((row) => Object.values(row.recall).some((r) => r !== null));
const mean = (name: string) => {
  const values = scored
    .map((row) => row.recall[name])
    .filter((r): r is number => r !== null && r !== undefined);
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
};
const perfect = (name: string) => scored.filter((row) => row.recall[name] === 1).length;
const [baseline] = embedders;
if (!baseline) throw new Error('no embedders ran');
const perText = (e: TimedEmbedder) => e.ms / Math.max(1, e.texts);
const queryP50 = (e: TimedEmbedder) => percentile(e.queries, 50);

console.log(
  `embed: similar@3 over ${scored.length} eval cases with expect.similar (of ${rows.length} loaded; ` +
    `history per case ${Math.min(...cases.map((c) => c.history.length))}–${Math.max(...cases.map((c) => c.history.length))} incidents), ` +
    `real gather + retrieve stages, sqlite-vec, hybrid score; node ${process.version}`,
);
const header = [
  'embedder',
  'recall@3 own history',
  'all found',
  `recall@3 pooled (${pooledHistory.length})`,
  'all found',
  'ms / text (all calls)',
  'query p50 (1 text)',
  'texts',
  'ms/text ÷ hashing',
  'query ÷ hashing',
];
const table = embedders.map(({ name, embedder }) => [
  name,
  mean(name).toFixed(3),
  `${perfect(name)}/${scored.length}`,
  mean(name + POOLED).toFixed(3),
  `${perfect(name + POOLED)}/${scored.length}`,
  perText(embedder).toFixed(3),
  queryP50(embedder).toFixed(3),
  String(embedder.texts),
  `${(perText(embedder) / perText(baseline.embedder)).toFixed(1)}×`,
  `${(queryP50(embedder) / queryP50(baseline.embedder)).toFixed(1)}×`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
for (const row of [header, ...table])
  console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join('  '));

for (const suffix of ['', POOLED]) {
  const names = embedders.map((e) => e.name + suffix);
  const differing = scored.filter((row) => new Set(names.map((n) => row.recall[n])).size > 1);
  if (differing.length === 0) continue;
  console.log(
    `${suffix ? 'pooled index' : 'own history'}: cases where the embedders differ (recall@3; top 3):`,
  );
  for (const row of differing) {
    const figures = names.map((n) => row.recall[n]?.toFixed(2) ?? 'n/a').join(' vs ');
    // In the pooled index, the case's own incidents lose their prefix; decoys from other cases keep theirs.
    const short = (id: string) => (id.startsWith(`${row.id}/`) ? id.slice(row.id.length + 1) : id);
    const tops = names.map((n) => `[${(row.top[n] ?? []).map(short).join(', ')}]`).join(' vs ');
    console.log(`  ${row.id}: ${figures}; ${tops}`);
  }
}
