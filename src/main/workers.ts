import { workerConnection } from '../adapters/bullmq/connection.js';
import { type StageWorker, startStageWorker } from '../adapters/bullmq/stage-worker.js';
import { correlate } from '../pipeline/correlate.js';
import { systemClock } from '../ports/clock.js';
import type { AlertAdmission } from '../ports/ingest-queue.js';
import type { Runtime } from './runtime.js';

export interface Workers {
  close(): Promise<void>;
}

/** Starts one BullMQ worker per implemented pipeline stage. */
export function startWorkers(runtime: Runtime): Workers {
  const { config, logger, metrics } = runtime;
  const connection = workerConnection(runtime.redisSettings);
  const workers: StageWorker[] = [
    startStageWorker<{ admissions: AlertAdmission[] }>({
      stage: 'correlate',
      connection,
      settings: runtime.redisSettings,
      concurrency: config.queue.concurrency,
      lockDurationMs: config.queue.lockDurationMs,
      stalledIntervalMs: config.queue.stalledIntervalMs,
      logger,
      metrics,
      process: async (data) => {
        const outcome = await correlate(data.admissions, {
          store: runtime.store,
          queue: runtime.ingestQueue,
          clock: systemClock,
          logger,
          onTransition: (_id, to) => metrics.incidentTransitions.inc({ to }),
        });
        for (const type of outcome.auditEvents) metrics.auditEvents.inc({ type });
      },
    }),
  ];
  logger.info({ stages: ['correlate'], concurrency: config.queue.concurrency }, 'workers started');
  return {
    async close() {
      const results = await Promise.all(
        workers.map((worker) => worker.close(config.queue.shutdownTimeoutMs)),
      );
      if (results.some((result) => result.forced)) {
        logger.warn('shutdown deadline reached; unfinished jobs return to the queue as stalled');
      }
      connection.disconnect();
    },
  };
}
