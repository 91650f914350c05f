import type { Draft, DraftAttempt, DrafterIdentity, TokenUsage } from '../domain/draft.js';
import type { EvidenceBundle } from '../domain/evidence/bundle.js';
import type { Incident, IncidentAlert } from '../domain/incident.js';
import type { PlaybookCatalog } from '../domain/playbook.js';
import type { SimilarRecord } from './incident-store.js';

/** Everything a drafter may look at. Alert annotations, logs and past-incident text are untrusted. */
export interface DraftInput {
  incident: Incident;
  alerts: IncidentAlert[];
  evidence: EvidenceBundle | null;
  similar: SimilarRecord | null;
  catalog: PlaybookCatalog;
  now: Date;
}

/** A drafter's answer before medic validates it against the catalog and the incident's scope. */
export interface DrafterAnswer {
  draft: Draft;
  identity: DrafterIdentity;
  attempts: DraftAttempt[];
  usage: TokenUsage | null;
}

export interface Drafter {
  readonly identity: DrafterIdentity;
  /**
   * Proposes one playbook. Throws MedicError(MEDIC_E_DRAFTER_UNAVAILABLE) when it cannot answer at all
   * (model down, timeout, breaker open); the draft stage then falls back.
   */
  draft(input: DraftInput, signal?: AbortSignal): Promise<DrafterAnswer>;
}
