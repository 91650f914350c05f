import type { DraftRecord } from '../domain/draft.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { assertTransition } from '../domain/incident.js';
import type { PlaybookCatalog } from '../domain/playbook.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { DraftInput } from '../ports/drafter.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';

export interface DraftStageDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  catalog: PlaybookCatalog;
  /** The drafter chain: primary (LLM) when configured, the case-based fallback, escalation last. */
  drafting: (input: DraftInput) => Promise<DraftRecord>;
  stages?: StageQueue;
  onDrafted?: (record: DraftRecord) => void;
}

const ACTOR = 'medic/draft';

/** States from which a new draft makes sense; later states already acted on an earlier draft. */
const DRAFTABLE = new Set(['open', 'gathering', 'drafted', 'resolved']);

function auditData(record: DraftRecord): Record<string, unknown> {
  const { draft } = record;
  return {
    drafter: record.drafter,
    playbook: draft.playbook,
    target: draft.target,
    params: draft.params,
    confidence: draft.confidence,
    diagnosis: draft.diagnosis,
    rationale: draft.rationale,
    evidenceRefs: draft.evidence_refs,
    riskNotes: draft.risk_notes,
    similarUsed: record.similarUsed,
    attempts: record.attempts.map((a) => ({ drafter: a.drafter, ok: a.ok, error: a.error, ms: a.ms })),
    usage: record.usage,
    latencyMs: record.latencyMs,
  };
}

/**
 * The draft stage's job: ask the drafter chain for one playbook, store the draft with the similar
 * incidents it saw and the drafter's identity, and hand the incident to guard.
 */
export async function runDraftStage(incidentId: string, deps: DraftStageDeps): Promise<DraftRecord | null> {
  const incident = await deps.store.get(incidentId);
  if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} is not stored yet`);
  const log = deps.logger.child({ incident: incidentId, stage: 'draft' });
  if (!DRAFTABLE.has(incident.state)) {
    log.info({ state: incident.state }, 'incident moved past drafting; draft skipped');
    return null;
  }
  const [alerts, evidence, similar] = await Promise.all([
    deps.store.alerts(incidentId),
    deps.store.evidence(incidentId),
    deps.store.similar(incidentId),
  ]);
  const record = await deps.drafting({
    incident,
    alerts,
    evidence,
    similar,
    catalog: deps.catalog,
    now: deps.clock.now(),
  });
  await deps.store.transaction(async (tx) => {
    const current = await tx.getIncident(incidentId);
    if (!current) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} vanished`);
    await tx.saveDraft(incidentId, record);
    if (current.state !== 'drafted' && current.state !== 'resolved') {
      assertTransition(current.state, 'drafted');
      await tx.updateIncident({ ...current, state: 'drafted', updatedAt: deps.clock.now().toISOString() });
    }
    await tx.appendAudit(
      [{ incident: incidentId, actor: ACTOR, type: 'draft.proposed', data: auditData(record) }],
      deps.clock.now(),
    );
  });
  await deps.stages?.enqueue('guard', incidentId, record.draftedAt);
  deps.onDrafted?.(record);
  log.info(
    {
      drafter: record.drafter.name,
      playbook: record.draft.playbook,
      confidence: record.draft.confidence,
      attempts: record.attempts.length,
      ms: record.latencyMs,
    },
    'draft proposed',
  );
  return record;
}
