import { workerConnection } from '../adapters/bullmq/connection.js';
import { type StageWorker, startStageWorker } from '../adapters/bullmq/stage-worker.js';
import { correlate } from '../pipeline/correlate.js';
import { runGatherStage } from '../pipeline/gather-stage.js';
import { staleEntries } from '../pipeline/memory.js';
import { runRetrieveStage } from '../pipeline/retrieve-stage.js';
import type { ApprovalChannel } from '../ports/approval-channel.js';
import type { AlertAdmission } from '../ports/ingest-queue.js';
import { startActionWorkers } from './action-workers.js';
import { isIncidentJob } from './jobs.js';
import type { Runtime } from './runtime.js';
import { sourceGuards } from './sources.js';

export interface Workers {
  close(): Promise<void>;
}

/** Starts one BullMQ worker per pipeline stage. */
export async function startWorkers(runtime: Runtime, channel?: ApprovalChannel): Promise<Workers> {
  const { config, logger, metrics } = runtime;
  const connection = workerConnection(runtime.redisSettings);
  const stages = runtime.stages;
  const { sources, disabled } = runtime.evidence;
  for (const source of disabled)
    logger.info({ source: source.name, reason: source.reason }, 'evidence source disabled');
  const guards = sourceGuards(config);
  const memory = await runtime.openMemory();
  const stale = await staleEntries(memory).catch(() => 0);
  if (stale > 0) {
    logger.warn(
      { stale, embedder: memory.embedder.id },
      'past incidents were embedded by another embedder and are ignored until `medic memory reindex`',
    );
  } else {
    await memory.index.ensure(memory.embedder.dimension);
  }
  // What every stage worker shares; each adds its stage, concurrency, payload check and processor.
  const shared = {
    connection,
    settings: runtime.redisSettings,
    lockDurationMs: config.queue.lockDurationMs,
    stalledIntervalMs: config.queue.stalledIntervalMs,
    logger,
    metrics,
  };
  const workers: StageWorker[] = [
    startStageWorker<{ admissions: AlertAdmission[] }>({
      stage: 'correlate',
      ...shared,
      concurrency: config.queue.concurrency,
      accepts: (data): data is { admissions: AlertAdmission[] } =>
        typeof data === 'object' &&
        data !== null &&
        Array.isArray((data as { admissions?: unknown }).admissions),
      process: async (data) => {
        const outcome = await correlate(data.admissions, {
          store: runtime.store,
          queue: runtime.ingestQueue,
          clock: runtime.clock,
          logger,
          stages,
          onTransition: (_id, to) => metrics.incidentTransitions.inc({ to }),
        });
        for (const type of outcome.auditEvents) metrics.auditEvents.inc({ type });
      },
    }),
    startStageWorker<{ incidentId: string }>({
      stage: 'gather',
      ...shared,
      concurrency: config.gather.concurrency,
      accepts: isIncidentJob,
      process: async (data) => {
        await runGatherStage(data.incidentId, {
          store: runtime.store,
          sources,
          guards,
          settings: config.gather,
          clock: runtime.clock,
          logger,
          stages,
          onCollected: (bundle) => {
            for (const report of bundle.sources) {
              metrics.gatherSources.inc({ source: report.source, state: report.state });
              if (report.state !== 'unconfigured')
                metrics.gatherSourceSeconds.observe({ source: report.source }, report.ms / 1000);
            }
            for (const [source, guard] of Object.entries(guards)) {
              metrics.circuitOpen.set({ source }, guard.state === 'open' ? 1 : 0);
            }
          },
        });
      },
    }),
    startStageWorker<{ incidentId: string }>({
      stage: 'retrieve',
      ...shared,
      concurrency: config.queue.concurrency,
      accepts: isIncidentJob,
      process: async (data) => {
        await runRetrieveStage(data.incidentId, {
          store: runtime.store,
          index: memory.index,
          embedder: memory.embedder,
          k: config.memory.k,
          scope: config.memory.scope,
          clock: runtime.clock,
          logger,
          stages,
        });
      },
    }),
    ...(await startActionWorkers(runtime, { shared, memory, ...(channel ? { channel } : {}) })),
  ];
  // Receipts outlive ingest's dedupe window twice over, then go: the table must not grow forever.
  const retentionMs = 2 * config.ingest.dedupeTtlSeconds * 1000;
  const prune = () =>
    runtime.store
      .pruneReceipts(new Date(Date.now() - retentionMs).toISOString())
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, 'old alert receipts pruned');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not prune alert receipts'));
  const pruneTimer = setInterval(prune, 60 * 60 * 1000);
  pruneTimer.unref();
  void prune();
  logger.info(
    {
      stages: ['correlate', 'gather', 'retrieve', 'draft', 'guard', 'execute', 'learn'],
      concurrency: config.queue.concurrency,
    },
    'workers started',
  );
  return {
    async close() {
      clearInterval(pruneTimer);
      const results = await Promise.all(
        workers.map((worker) => worker.close(config.queue.shutdownTimeoutMs)),
      );
      if (results.some((result) => result.forced)) {
        logger.warn('shutdown deadline reached; unfinished jobs return to the queue as stalled');
      }
      await memory.index.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}
