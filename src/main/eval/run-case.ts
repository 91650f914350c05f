import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClusterReader } from '../../adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../adapters/kubernetes/writer.js';
import { startKubeReplayServer } from '../../adapters/replay/kube-server.js';
import { replaySources } from '../../adapters/replay/world.js';
import { SqliteStore } from '../../adapters/sqlite/store.js';
import { SqliteVecIndex } from '../../adapters/sqlite-vec/index.js';
import type { MedicConfig } from '../../config/schema.js';
import { HashingEmbedder } from '../../domain/memory/hashing-embedder.js';
import type { PlaybookCatalog } from '../../domain/playbook.js';
import type { CaseRun } from '../../evals/report.js';
import type { Got } from '../../evals/score.js';
import type { Logger } from '../../observability/logger.js';
import { runGatherStage } from '../../pipeline/gather-stage.js';
import { importHistory } from '../../pipeline/memory.js';
import { runRetrieveStage } from '../../pipeline/retrieve-stage.js';
import { createSourceGuards } from '../../pipeline/source-guard.js';
import type { Drafter } from '../../ports/drafter.js';
import { correlationLabels } from '../runtime.js';
import { correlateCaseAlert } from './admit.js';
import { type DecideDeps, draftStep, type GuardStep } from './decide.js';
import type { LoadedCase } from './load-cases.js';
import { InProcessStageQueue } from './stage-queue.js';

export interface RunCaseDeps {
  config: MedicConfig;
  catalog: PlaybookCatalog;
  logger: Logger;
  primary: Drafter | null;
  fallback: Drafter;
  guard: GuardStep;
}

/**
 * Builds the case's world (a Kubernetes replay server behind the real client, replayed telemetry, a
 * fresh SQLite store and sqlite-vec memory seeded with the case's history, a clock stopped at `now`),
 * runs the real stages from the alert payload to guard's verdict, and reads the outcome from the store.
 */
export async function runCase(loaded: LoadedCase, deps: RunCaseDeps): Promise<CaseRun> {
  const { world, spec } = loaded;
  const dir = await mkdtemp(join(tmpdir(), `medic-eval-${spec.id}-`));
  // Writable so guard's server-side dry-run answers as an API server would; evals never execute a plan.
  const kube = await startKubeReplayServer(world.kubernetes, { writable: true });
  const store = new SqliteStore(join(dir, 'medic.db'));
  const index = new SqliteVecIndex(join(dir, 'memory.db'));
  try {
    const embedder = new HashingEmbedder({ dimension: deps.config.memory.dimension });
    await importHistory(loaded.history, { index, embedder });
    const clock = { now: () => new Date(world.now) };
    const logger = deps.logger.child({ case: spec.id });
    const reader = createClusterReader({ kubeconfigYaml: kube.kubeconfigYaml });
    const writer = createClusterWriter({ kubeconfigYaml: kube.kubeconfigYaml });
    const sources = { ...replaySources(world), cluster: reader };
    const guards = createSourceGuards(deps.config.gather);
    const decide = (): DecideDeps => ({ ...deps, store, clock, logger, reader, writer, stages: queue });
    const queue: InProcessStageQueue = new InProcessStageQueue({
      gather: async (id) => {
        await runGatherStage(id, {
          store,
          sources,
          guards,
          settings: deps.config.gather,
          clock,
          logger,
          stages: queue,
        });
      },
      retrieve: async (id) => {
        await runRetrieveStage(id, {
          store,
          index,
          embedder,
          k: deps.config.memory.k,
          scope: deps.config.memory.scope,
          clock,
          logger,
          stages: queue,
        });
        if (!queue.handed('draft', id)) await queue.enqueue('draft', id, 'eval');
      },
      draft: (id) => draftStep(id, decide()),
      guard: (id) => deps.guard(id, decide()),
    });

    const started = performance.now();
    const incidentId = await correlateCaseAlert(
      world.alert,
      {
        caseId: spec.id,
        now: world.now,
        labels: correlationLabels(deps.config),
        where: join(loaded.dir, 'alert'),
      },
      { store, queue: { release: async () => {} }, clock, logger, stages: queue },
    );
    if (!incidentId) {
      // Only resolved alerts nobody knew: the pipeline rightly does nothing, which scores as `none`.
      const got: Got = { playbook: 'none', target: null, params: {}, verdict: null };
      return { got, similarIds: null, ms: performance.now() - started, usage: null, verdictReasons: [] };
    }
    await queue.drain();
    const ms = performance.now() - started;

    const [draft, plan, similar] = await Promise.all([
      store.draft(incidentId),
      store.latestPlan(incidentId),
      store.similar(incidentId),
    ]);
    if (!draft) throw new Error(`${spec.id}: the pipeline stored no draft for ${incidentId}`);
    const got: Got = {
      playbook: draft.draft.playbook,
      target: draft.draft.target,
      params: draft.draft.params,
      verdict: plan?.verdict.decision ?? null,
    };
    return {
      got,
      similarIds: (similar?.matches ?? []).map((m) => m.incidentId),
      ms,
      usage: draft.usage,
      verdictReasons: plan?.verdict.reasons ?? [],
    };
  } finally {
    await kube.close();
    await store.close();
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}
