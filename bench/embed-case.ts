// One eval case, gathered the way `medic eval` gathers it, then asked for its similar incidents by an embedder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createClusterReader } from '../src/adapters/kubernetes/reader.js';
import { startKubeReplayServer } from '../src/adapters/replay/kube-server.js';
import { replaySources } from '../src/adapters/replay/world.js';
import { SqliteStore } from '../src/adapters/sqlite/store.js';
import { SqliteVecIndex } from '../src/adapters/sqlite-vec/index.js';
import type { MedicConfig } from '../src/config/schema.js';
import { correlateCaseAlert } from '../src/main/eval/admit.js';
import type { LoadedCase } from '../src/main/eval/load-cases.js';
import { InProcessStageQueue } from '../src/main/eval/stage-queue.js';
import { correlationLabels } from '../src/main/runtime.js';
import { runGatherStage } from '../src/pipeline/gather-stage.js';
import { importHistory } from '../src/pipeline/memory.js';
import { runRetrieveStage } from '../src/pipeline/retrieve-stage.js';
import { createSourceGuards } from '../src/pipeline/source-guard.js';
import type { Embedder } from '../src/ports/embedder.js';
import type { VectorIndex } from '../src/ports/vector-index.js';

const logger = pino({ level: 'silent' });

export interface GatheredCase {
  /** The incident the case's alert opened, or null when its alerts open none (only resolved ones). */
  incidentId: string | null;
  /**
   * The ids the retrieve stage ranks first with `embedder`: over a fresh index of the case's history, or
   * over `shared` (already filled by the same embedder) when given.
   */
  similar(embedder: Embedder, k: number, shared?: VectorIndex): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens the case's incident from its alert payload and runs the real gather stage against the case's
 * world (Kubernetes replay server behind client-node, replayed telemetry), into a fresh SQLite store.
 */
export async function gatherCase(loaded: LoadedCase, config: MedicConfig): Promise<GatheredCase> {
  const { world, spec } = loaded;
  const dir = await mkdtemp(join(tmpdir(), `medic-bench-embed-${spec.id}-`));
  const kube = await startKubeReplayServer(world.kubernetes);
  const store = new SqliteStore(join(dir, 'medic.db'));
  const close = async () => {
    await kube.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const clock = { now: () => new Date(world.now) };
    const reader = createClusterReader({ kubeconfigYaml: kube.kubeconfigYaml });
    const sources = { ...replaySources(world), cluster: reader };
    const guards = createSourceGuards(config.gather);
    const queue: InProcessStageQueue = new InProcessStageQueue({
      gather: async (id) => {
        await runGatherStage(id, {
          store,
          sources,
          guards,
          settings: config.gather,
          clock,
          logger,
          stages: queue,
        });
      },
    });
    const incidentId = await correlateCaseAlert(
      world.alert,
      {
        caseId: spec.id,
        now: world.now,
        labels: correlationLabels(config),
        where: join(loaded.dir, 'alert'),
      },
      { store, queue: { release: async () => {} }, clock, logger, stages: queue },
    );
    await queue.drain();
    let indexes = 0;
    return {
      incidentId,
      similar: async (embedder, k, shared) => {
        if (incidentId === null) return [];
        const fresh = shared ? null : new SqliteVecIndex(join(dir, `memory-${++indexes}.db`));
        const index = shared ?? (fresh as SqliteVecIndex);
        try {
          if (!shared) await importHistory(loaded.history, { index, embedder });
          const record = await runRetrieveStage(incidentId, {
            store,
            index,
            embedder,
            k,
            scope: config.memory.scope,
            clock,
            logger,
          });
          return record.matches.map((m) => m.incidentId);
        } finally {
          await fresh?.close();
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
