import type { PlaybookCatalog } from '../../domain/playbook.js';
import type { Logger } from '../../observability/logger.js';
import { runDraftStage } from '../../pipeline/draft-stage.js';
import { runGuardStage } from '../../pipeline/guard-stage.js';
import type { Policy } from '../../policy/policy-schema.js';
import type { Clock } from '../../ports/clock.js';
import type { ClusterReader } from '../../ports/cluster.js';
import type { ClusterWriter } from '../../ports/cluster-writer.js';
import type { Drafter } from '../../ports/drafter.js';
import type { IncidentStore } from '../../ports/incident-store.js';
import type { StageQueue } from '../../ports/stage-queue.js';
import { draftingChain } from '../drafting.js';

/** What the draft and guard stages get in an eval world. */
export interface DecideDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  catalog: PlaybookCatalog;
  /** The LLM drafter, or null for the case-based drafter alone. */
  primary: Drafter | null;
  fallback: Drafter;
  reader: ClusterReader;
  writer: ClusterWriter;
  stages: StageQueue;
}

/** Runs guard for one incident; stores a plan with its verdict (never executes). */
export type GuardStep = (incidentId: string, deps: DecideDeps) => Promise<void>;

/** The real draft stage with the real drafter chain (primary, then fallback, then escalation). */
export async function draftStep(incidentId: string, deps: DecideDeps): Promise<void> {
  await runDraftStage(incidentId, {
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    catalog: deps.catalog,
    stages: deps.stages,
    drafting: draftingChain({
      catalog: deps.catalog,
      primary: deps.primary,
      fallback: deps.fallback,
      clock: deps.clock,
    }),
  });
}

export const EVAL_FIELD_MANAGER = 'medic-eval';

/** The real guard stage: renders the plan, dry-runs it against the replay server, applies the policy. */
export function pipelineGuardStep(policy: Policy): GuardStep {
  return async (incidentId, deps) => {
    await runGuardStage(incidentId, {
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      catalog: deps.catalog,
      policy,
      cluster: { reader: deps.reader, writer: deps.writer },
      fieldManager: EVAL_FIELD_MANAGER,
      stages: deps.stages,
    });
  };
}
