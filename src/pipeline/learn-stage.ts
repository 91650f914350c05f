import { refOf } from '../domain/draft.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import { signatureText } from '../domain/memory/signature.js';
import type { Logger } from '../observability/logger.js';
import type { Embedder } from '../ports/embedder.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { MemoryPayload, VectorIndex } from '../ports/vector-index.js';
import { incidentSignature } from './incident-signature.js';

export interface LearnStageDeps {
  store: IncidentStore;
  index: VectorIndex;
  embedder: Embedder;
  logger: Logger;
  onLearned?: (outcome: MemoryPayload['outcome']) => void;
}

const outcomes: Partial<Record<IncidentState, MemoryPayload['outcome']>> = {
  resolved: 'resolved',
  failed: 'failed',
  'rolled-back': 'rolled-back',
  escalated: 'escalated',
};

/**
 * The learn stage's job: remember an ended incident with what was done and how it ended, so the
 * next similar incident finds it. Upserts by incident id, so a retried job changes nothing.
 */
export async function runLearnStage(incidentId: string, deps: LearnStageDeps): Promise<MemoryPayload | null> {
  const incident = await deps.store.get(incidentId);
  if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} does not exist`);
  const outcome = outcomes[incident.state];
  const log = deps.logger.child({ incident: incidentId, stage: 'learn' });
  const record = await deps.store.draft(incidentId);
  if (!outcome || !record) {
    log.info(
      { state: incident.state, drafted: record !== null },
      'incident has not ended with a draft; nothing learned',
    );
    return null;
  }
  const [alerts, evidence] = await Promise.all([
    deps.store.alerts(incidentId),
    deps.store.evidence(incidentId),
  ]);
  const { signature, alertnames, workloadKind, terminationReasons } = incidentSignature(
    incident,
    alerts,
    evidence,
  );
  const { draft } = record;
  const payload: MemoryPayload = {
    incidentId,
    at: incident.openedAt,
    title: incident.title,
    cluster: incident.cluster,
    namespace: incident.namespace,
    alertname: alertnames[0] ?? '',
    workloadKind,
    workloadName: incident.workload?.name ?? null,
    terminationReason: terminationReasons[0] ?? null,
    summary: alerts
      .map((a) => a.annotations['summary'] ?? '')
      .filter(Boolean)
      .join(' ')
      .slice(0, 500),
    diagnosis: draft.diagnosis,
    action: {
      playbook: draft.playbook,
      target: draft.target ? refOf(draft.target) : null,
      params: draft.params,
    },
    outcome,
    signature: signatureText(signature),
    embedder: deps.embedder.id,
  };
  await deps.index.ensure(deps.embedder.dimension);
  const [vector] = await deps.embedder.embed([payload.signature]);
  await deps.index.upsert([{ vector: vector ?? new Float32Array(deps.embedder.dimension), payload }]);
  deps.onLearned?.(outcome);
  log.info({ outcome, playbook: draft.playbook }, 'incident remembered');
  return payload;
}
