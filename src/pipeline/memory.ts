import { type HistoryEntry, historySignature } from '../domain/memory/history.js';
import { signatureText } from '../domain/memory/signature.js';
import type { Embedder } from '../ports/embedder.js';
import type { MemoryPayload, VectorIndex } from '../ports/vector-index.js';

const BATCH = 64;

export function payloadFromHistory(entry: HistoryEntry): MemoryPayload {
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
  };
}

/** Embeds and indexes past incidents; idempotent per incident id, so importing twice changes nothing. */
export async function importHistory(
  entries: readonly HistoryEntry[],
  deps: { index: VectorIndex; embedder: Embedder },
): Promise<number> {
  await deps.index.ensure(deps.embedder.dimension);
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const vectors = await deps.embedder.embed(batch.map((entry) => signatureText(historySignature(entry))));
    await deps.index.upsert(
      batch.map((entry, j) => ({
        vector: vectors[j] ?? new Float32Array(deps.embedder.dimension),
        payload: payloadFromHistory(entry),
      })),
    );
  }
  return entries.length;
}
