import type { Redis } from 'ioredis';
import type { RedisSettings } from '../adapters/bullmq/connection.js';
import { RetryLater, type StageWorker, startStageWorker } from '../adapters/bullmq/stage-worker.js';
import { ErrorCodes, isMedicError, MedicError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { runDraftStage } from '../pipeline/draft-stage.js';
import { runExecuteStage } from '../pipeline/execute-stage.js';
import { runGuardStage } from '../pipeline/guard-stage.js';
import { pauseState } from '../pipeline/kill-switch.js';
import { runLearnStage } from '../pipeline/learn-stage.js';
import type { ApprovalChannel } from '../ports/approval-channel.js';
import { draftingChain, openPrimaryDrafter } from './drafting.js';
import { isIncidentJob } from './jobs.js';
import type { Memory } from './memory.js';
import type { Runtime } from './runtime.js';

interface SharedWorkerOptions {
  connection: Redis;
  settings: RedisSettings;
  lockDurationMs: number;
  stalledIntervalMs: number;
  logger: Logger;
  metrics: Metrics;
}

// A run that died is adopted once its lease (5 minutes) lapses; look again a little after that.
const IN_PROGRESS_RECHECK_MS = 60_000;

/** Workers of the stages after retrieval: draft, guard, execute and learn. */
export async function startActionWorkers(
  runtime: Runtime,
  context: { shared: SharedWorkerOptions; memory: Memory; channel?: ApprovalChannel },
): Promise<StageWorker[]> {
  const { config, logger, metrics, store, clock, stages } = runtime;
  const { catalog, policy } = runtime.actions;
  const { shared, memory, channel } = context;
  const tellChannel = (incidentId: string) =>
    channel?.incidentChanged(incidentId).catch((err: unknown) => {
      logger.warn({ err, incident: incidentId }, 'could not update the Slack card');
    });
  const primary = await openPrimaryDrafter(config, metrics);
  const drafting = draftingChain({ catalog, primary, clock, metrics });
  const cluster = runtime.evidence.sources.cluster;
  const writer = runtime.actions.writer;
  const target = cluster && writer ? { cluster: { reader: cluster, writer } } : {};
  return [
    startStageWorker<{ incidentId: string }>({
      stage: 'draft',
      ...shared,
      concurrency: config.queue.concurrency,
      accepts: isIncidentJob,
      process: async (data) => {
        await runDraftStage(data.incidentId, { store, clock, logger, catalog, drafting, stages });
      },
    }),
    startStageWorker<{ incidentId: string }>({
      stage: 'guard',
      ...shared,
      concurrency: config.queue.concurrency,
      accepts: isIncidentJob,
      process: async (data) => {
        const stop = metrics.guardSeconds.startTimer();
        await runGuardStage(data.incidentId, {
          store,
          clock,
          logger,
          catalog,
          policy,
          ...target,
          fieldManager: config.execution.fieldManager,
          stages,
          onVerdict: (plan) =>
            metrics.verdicts.inc({ playbook: plan.playbook, decision: plan.verdict.decision }),
        });
        stop();
      },
    }),
    startStageWorker<{ incidentId: string }>({
      stage: 'execute',
      ...shared,
      concurrency: config.execution.concurrency,
      accepts: isIncidentJob,
      process: async (data, job) => {
        if (!cluster || !writer) {
          throw new MedicError(
            ErrorCodes.config,
            'no Kubernetes cluster is configured: nothing can be executed',
          );
        }
        await tellChannel(data.incidentId);
        const report = await runExecuteStage(
          data.incidentId,
          {
            store,
            writer,
            reader: cluster,
            metrics: runtime.evidence.sources.metrics ?? null,
            catalog,
            stages,
            clock,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            logger: logger.child({ incident: data.incidentId, stage: 'execute' }),
            fieldManager: config.execution.fieldManager,
            pollIntervalMs: config.execution.pollIntervalMs,
            isPaused: async () => (await pauseState(store, config.execution.paused)).paused,
            counters: metrics,
          },
          // A retried job carries the same id, so it continues its own execution instead of racing it.
          { idempotencyKey: `job-${job.id}` },
        ).catch((error: unknown) => {
          // Paused: wait for resume without spending the job's attempts.
          if (isMedicError(error) && error.code === ErrorCodes.paused) {
            throw new RetryLater(config.execution.pausedRecheckMs, 'the kill switch is on');
          }
          throw error;
        });
        await tellChannel(data.incidentId);
        if (report.outcome === 'in-progress') {
          throw new RetryLater(IN_PROGRESS_RECHECK_MS, 'another run still owns this execution');
        }
      },
    }),
    startStageWorker<{ incidentId: string }>({
      stage: 'learn',
      ...shared,
      concurrency: 1,
      accepts: isIncidentJob,
      process: async (data) => {
        await runLearnStage(data.incidentId, {
          store,
          index: memory.index,
          embedder: memory.embedder,
          logger,
          onLearned: (outcome) => metrics.learned.inc({ outcome }),
        });
      },
    }),
  ];
}
