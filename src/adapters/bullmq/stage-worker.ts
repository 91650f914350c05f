import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { RedisSettings } from './connection.js';
import { decodePayload } from './payload-codec.js';
import { type Stage, stageQueues } from './stages.js';

export interface StageWorkerOptions<T> {
  stage: Stage;
  connection: Redis;
  settings: RedisSettings;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Recognises a well-formed payload; anything else fails at once, without retries, into the failed set. */
  accepts: (data: unknown) => data is T;
  process: (data: T, job: { id: string; attempt: number }) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
}

export interface StageWorker {
  /** Stops taking jobs, waits for running ones up to the deadline, then forces the rest back to Redis. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

/**
 * Thrown by a stage to come back later without spending an attempt: the kill switch is on, or
 * another run owns the work. Retries with backoff would run out during a long pause.
 */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

export function startStageWorker<T>(options: StageWorkerOptions<T>): StageWorker {
  const { stage, logger, metrics } = options;
  const worker = new Worker(
    stageQueues[stage],
    async (job: Job, token?: string) => {
      const stop = metrics.jobDuration.startTimer({ stage });
      try {
        const data = decodePayload<unknown>(job.data);
        if (!options.accepts(data)) {
          throw new UnrecoverableError(
            `MEDIC_E_BAD_REQUEST: malformed ${stage} job payload; retrying cannot help`,
          );
        }
        await options.process(data, { id: job.id ?? '?', attempt: job.attemptsMade + 1 });
        stop({ outcome: 'ok' });
      } catch (error) {
        if (error instanceof RetryLater) {
          stop({ outcome: 'later' });
          logger.info(
            { stage, job: job.id, delayMs: error.delayMs, reason: error.message },
            'stage job deferred',
          );
          await job.moveToDelayed(Date.now() + error.delayMs, token);
          throw new DelayedError();
        }
        stop({ outcome: 'error' });
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.settings.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: 3,
      autorun: true,
    },
  );
  worker.on('failed', (job, error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true;
    logger.warn({ stage, job: job?.id, attempt: job?.attemptsMade, final, err: error }, 'stage job failed');
  });
  worker.on('error', (error) => logger.error({ stage, err: error }, 'stage worker error'));
  worker.on('stalled', (jobId) => logger.warn({ stage, job: jobId }, 'stalled job recovered'));

  return {
    async close(deadlineMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = setTimeout(() => resolve('deadline'), deadlineMs);
      });
      const closing = worker.close();
      const outcome = await Promise.race([closing.then(() => 'closed' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'deadline') {
        // BullMQ hands a second close() the same pending promise, so forcing it does nothing. Instead the
        // caller drops the connection: lock renewal stops, the lock expires, and another worker takes
        // the job over as stalled.
        closing.catch(() => undefined);
        return { forced: true };
      }
      return { forced: false };
    },
  };
}
