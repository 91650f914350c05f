import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Plan } from '../../domain/plan.js';
import type { Logger } from '../../observability/logger.js';
import type { ApprovalChannel, ChannelClick } from '../../ports/approval-channel.js';
import { SlackRateLimited, SlackRefused } from './client.js';
import type { SlackJob, SlackProcessor } from './processor.js';

export const SLACK_QUEUE = 'medic-slack';

export interface SlackQueueOptions {
  /** Attempts per job; with the backoff cap this is how long a card waits for Slack to come back. */
  attempts: number;
  /** First backoff after a 5xx or network failure; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const defaultSlackQueueOptions: SlackQueueOptions = {
  // 60 attempts, capped at one minute apart: about an hour, the default approval TTL.
  attempts: 60,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
};

/** Retry-After when Slack gave one, exponential backoff otherwise. */
export function slackBackoff(options: SlackQueueOptions) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    if (error instanceof SlackRateLimited) return error.retryAfterMs;
    return Math.min(options.backoffMs * 2 ** Math.max(0, attemptsMade - 1), options.maxBackoffMs);
  };
}

/** The producer side: schedules card posts, card updates and clicks. It is the Slack `ApprovalChannel`. */
export class SlackQueue implements ApprovalChannel {
  private readonly queue: Queue;
  private pending: Array<{ click: ChannelClick; resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(
    connection: Redis,
    prefix: string,
    private readonly options: SlackQueueOptions = defaultSlackQueueOptions,
  ) {
    this.queue = new Queue(SLACK_QUEUE, { connection, prefix });
  }

  async enqueue(job: SlackJob, jobId?: string): Promise<void> {
    await this.queue.add(job.kind, job, {
      ...this.jobOptions(),
      ...(jobId ? { jobId: jobId.replaceAll(':', '_') } : {}),
    });
  }

  private jobOptions() {
    return {
      attempts: this.options.attempts,
      backoff: { type: 'slack' },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    };
  }

  async requestApproval(plan: Plan): Promise<void> {
    // One post per plan, however often the guard stage calls.
    await this.enqueue({ kind: 'card', incidentId: plan.incidentId, post: true }, `post-${plan.id}`);
  }

  async incidentChanged(incidentId: string): Promise<void> {
    await this.enqueue({ kind: 'card', incidentId, post: false });
  }

  /**
   * Queues a click; a Redis outage becomes a 503 for Slack, never a lost decision. Clicks arriving
   * in the same turn of the event loop share one round trip to Redis.
   */
  click(click: ChannelClick): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ click, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flushClicks());
    });
  }

  private async flushClicks(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.queue.addBulk(
        batch.map(({ click }) => ({
          name: 'click',
          data: { kind: 'click', click },
          opts: this.jobOptions(),
        })),
      );
      for (const entry of batch) entry.resolve();
    } catch (error) {
      const unavailable = new MedicError(
        ErrorCodes.queueUnavailable,
        'the Slack queue is unavailable',
        {},
        { cause: error },
      );
      for (const entry of batch) entry.reject(unavailable);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * One job at a time: card posts and updates for an incident must not race each other (two posts
 * would make two cards). Clicks are already acknowledged, so this only delays the card update.
 */
export function startSlackWorker(options: {
  connection: Redis;
  prefix: string;
  processor: SlackProcessor;
  logger: Logger;
  queue?: SlackQueueOptions;
}): Worker {
  const worker = new Worker(
    SLACK_QUEUE,
    async (job: Job<SlackJob>) => {
      try {
        await options.processor.run(job.data);
      } catch (error) {
        if (error instanceof SlackRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      settings: { backoffStrategy: slackBackoff(options.queue ?? defaultSlackQueueOptions) },
    },
  );
  worker.on('failed', (job, error) =>
    options.logger.warn(
      { job: job?.id, kind: job?.data.kind, attempt: job?.attemptsMade, err: error },
      'slack job failed',
    ),
  );
  worker.on('error', (error) => options.logger.error({ err: error }, 'slack worker error'));
  return worker;
}
