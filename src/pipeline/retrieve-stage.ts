import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore, SimilarRecord } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';
import { incidentSignature } from './incident-signature.js';
import { type RetrieveDeps, retrieveSimilar } from './retrieve.js';

export interface RetrieveStageDeps extends RetrieveDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  /** Only past incidents of the same cluster (and namespace) count, when set. */
  scope: 'all' | 'cluster' | 'namespace';
  /** Where the incident goes next (draft). */
  stages?: StageQueue;
}

const ACTOR = 'medic/retrieve';

/** The retrieve stage's job: find the incident's closest past incidents and store them with it. */
export async function runRetrieveStage(incidentId: string, deps: RetrieveStageDeps): Promise<SimilarRecord> {
  const incident = await deps.store.get(incidentId);
  if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} is not stored yet`);
  const [alerts, evidence] = await Promise.all([
    deps.store.alerts(incidentId),
    deps.store.evidence(incidentId),
  ]);
  const { signature, alertnames, workloadKind, terminationReasons } = incidentSignature(
    incident,
    alerts,
    evidence,
  );
  const filter = {
    ...(deps.scope !== 'all' ? { cluster: incident.cluster } : {}),
    ...(deps.scope === 'namespace' && incident.namespace ? { namespace: incident.namespace } : {}),
  };
  const matches = await retrieveSimilar(
    signature,
    {
      alertnames,
      workloadKind,
      terminationReasons,
    },
    { ...deps, filter },
  );
  const record: SimilarRecord = {
    retrievedAt: deps.clock.now().toISOString(),
    embedder: deps.embedder.id,
    matches,
  };
  await deps.store.transaction(async (tx) => {
    await tx.saveSimilar(incidentId, record);
    await tx.appendAudit(
      [
        {
          incident: incidentId,
          actor: ACTOR,
          type: 'similar.retrieved',
          data: {
            embedder: record.embedder,
            matches: matches.map((m) => ({
              incident: m.incidentId,
              score: Number(m.score.toFixed(4)),
              outcome: m.outcome,
            })),
          },
        },
      ],
      deps.clock.now(),
    );
  });
  await deps.stages?.enqueue('draft', incidentId, record.retrievedAt);
  deps.logger.info(
    { incident: incidentId, stage: 'retrieve', matches: matches.length },
    'similar incidents retrieved',
  );
  return record;
}
