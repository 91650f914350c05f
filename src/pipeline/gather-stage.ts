import type { AuditEventInput } from '../domain/audit.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { EvidenceBundle } from '../domain/evidence/bundle.js';
import { sizeOf } from '../domain/evidence/bundle.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';
import { type GatherDeps, gatherEvidence } from './gather.js';

export interface GatherStageDeps extends Omit<GatherDeps, 'now'> {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  /** Where the incident goes next (retrieve). */
  stages?: StageQueue;
  onCollected?: (bundle: EvidenceBundle) => void;
}

const ACTOR = 'medic/gather';

function auditEvents(bundle: EvidenceBundle): AuditEventInput[] {
  const perSource: AuditEventInput[] = bundle.sources.map((report) => ({
    incident: bundle.incidentId,
    actor: ACTOR,
    type: 'evidence.source',
    data: { source: report.source, state: report.state, reason: report.reason, ms: report.ms },
  }));
  return [
    ...perSource,
    {
      incident: bundle.incidentId,
      actor: ACTOR,
      type: 'evidence.collected',
      data: {
        signals: bundle.signals.length,
        logPatterns: bundle.logs?.patterns.length ?? 0,
        logLines: bundle.logs?.total ?? 0,
        traceOperations: bundle.traces?.operations.length ?? 0,
        changes: bundle.changes.length,
        chars: sizeOf(bundle),
        trimmed: bundle.trimmed,
      },
    },
  ];
}

/**
 * The gather stage's job: collect evidence for one incident and store it with one audit event per
 * source. Runs again harmlessly: the newest bundle replaces the last.
 */
export async function runGatherStage(incidentId: string, deps: GatherStageDeps): Promise<EvidenceBundle> {
  const incident = await deps.store.get(incidentId);
  // Correlate enqueues this job just before it commits; if the commit has not landed yet, retry.
  if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} is not stored yet`);
  const alerts = await deps.store.alerts(incidentId);
  const log = deps.logger.child({ incident: incidentId, stage: 'gather' });
  const bundle = await gatherEvidence(incident, alerts, { ...deps, now: deps.clock.now() });
  await deps.store.transaction(async (tx) => {
    await tx.saveEvidence(incidentId, bundle);
    await tx.appendAudit(auditEvents(bundle), deps.clock.now());
  });
  await deps.stages?.enqueue('retrieve', incidentId, bundle.collectedAt);
  deps.onCollected?.(bundle);
  log.info(
    { sources: Object.fromEntries(bundle.sources.map((s) => [s.source, s.state])), chars: sizeOf(bundle) },
    'evidence collected',
  );
  return bundle;
}
