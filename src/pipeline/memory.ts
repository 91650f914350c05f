import { type HistoryEntry, historySignature } from '../domain/memory/history.js';
import { signatureText } from '../domain/memory/signature.js';
import type { Embedder } from '../ports/embedder.js';
import type { MemoryPayload, VectorIndex } from '../ports/vector-index.js';

const BATCH = 64;

export function payloadFromHistory(entry: HistoryEntry, embedderId: string): MemoryPayload {
  const signature = historySignature(entry);
  const target = entry.action.target;
  return {
    incidentId: entry.id,
    at: new Date(entry.at).toISOString(),
    title: entry.title,
    cluster: entry.labels['cluster'] ?? 'default',
    namespace: target?.namespace ?? entry.labels['namespace'] ?? null,
    alertname: entry.labels['alertname'] ?? '',
    workloadKind: target?.kind ?? null,
    workloadName: target?.name ?? null,
    terminationReason: signature.terminationReasons?.[0] ?? signature.waitingReasons?.[0] ?? null,
    summary: entry.summary,
    diagnosis: entry.diagnosis,
    action: {
      playbook: entry.action.playbook,
      target: target
        ? {
            kind: target.kind,
            ...(target.namespace ? { namespace: target.namespace } : {}),
            name: target.name,
          }
        : null,
      params: entry.action.params,
    },
    outcome: entry.outcome,
    signature: signatureText(signature),
    embedder: embedderId,
  };
}

/** Embeds and indexes past incidents; idempotent per incident id, so importing twice changes nothing. */
export async function importHistory(
  entries: readonly HistoryEntry[],
  deps: { index: VectorIndex; embedder: Embedder },
): Promise<number> {
  await deps.index.ensure(deps.embedder.dimension);
  for (let i = 0; i < entries.length; i += BATCH) {
    const payloads = entries.slice(i, i + BATCH).map((entry) => payloadFromHistory(entry, deps.embedder.id));
    const vectors = await deps.embedder.embed(payloads.map((payload) => payload.signature));
    await deps.index.upsert(
      payloads.map((payload, j) => ({
        vector: vectors[j] ?? new Float32Array(deps.embedder.dimension),
        payload,
      })),
    );
  }
  return entries.length;
}

/** How many remembered incidents were embedded by another embedder than this one. */
export async function staleEntries(deps: { index: VectorIndex; embedder: Embedder }): Promise<number> {
  const all = await deps.index.list(Math.max(1, await deps.index.count()));
  return all.filter((payload) => payload.embedder !== deps.embedder.id).length;
}

/**
 * Re-embeds every remembered incident with the current embedder. Everything is embedded before the
 * old index is cleared, so a failing embedder leaves the memory as it was.
 */
export async function reindexMemory(deps: { index: VectorIndex; embedder: Embedder }): Promise<number> {
  const all = await deps.index.list(Math.max(1, await deps.index.count()));
  const entries: Array<{ vector: Float32Array; payload: MemoryPayload }> = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    const vectors = await deps.embedder.embed(batch.map((payload) => payload.signature));
    batch.forEach((payload, j) => {
      entries.push({
        vector: vectors[j] ?? new Float32Array(deps.embedder.dimension),
        payload: { ...payload, embedder: deps.embedder.id },
      });
    });
  }
  await deps.index.clear();
  await deps.index.ensure(deps.embedder.dimension);
  for (let i = 0; i < entries.length; i += BATCH) await deps.index.upsert(entries.slice(i, i + BATCH));
  return entries.length;
}
