import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisSettings } from './connection.js';
import { decodePayload } from './payload-codec.js';
import { type Stage, stageQueues } from './stages.js';

export interface FailedJob {
  stage: Stage;
  id: string;
  failedReason: string;
  attempts: number;
  failedAt: string | null;
  alerts: number | null;
}

const allStates = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** The dead-letter view: BullMQ's failed set is kept (removeOnFail: false) and replayed from here. */
export class QueueAdmin {
  private readonly queues: Map<Stage, Queue>;

  constructor(connection: Redis, settings: RedisSettings) {
    this.queues = new Map(
      (Object.keys(stageQueues) as Stage[]).map((stage) => [
        stage,
        new Queue(stageQueues[stage], { connection, prefix: settings.prefix }),
      ]),
    );
  }

  async failed(limit = 100): Promise<FailedJob[]> {
    const out: FailedJob[] = [];
    for (const [stage, queue] of this.queues) {
      const jobs = await queue.getFailed(0, limit - 1);
      for (const job of jobs) {
        const admissions = decodePayload<{ admissions?: unknown[] } | undefined>(job.data)?.admissions;
        out.push({
          stage,
          id: job.id ?? '?',
          failedReason: job.failedReason ?? '',
          attempts: job.attemptsMade,
          failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          alerts: Array.isArray(admissions) ? admissions.length : null,
        });
      }
    }
    return out;
  }

  /** Moves every failed job back to waiting; returns how many there were. */
  async retryFailed(): Promise<number> {
    let total = 0;
    for (const queue of this.queues.values()) {
      total += await queue.getFailedCount();
      await queue.retryJobs({ state: 'failed', count: 1000 });
    }
    return total;
  }

  async counts(): Promise<Array<{ stage: Stage; state: string; jobs: number }>> {
    const out: Array<{ stage: Stage; state: string; jobs: number }> = [];
    for (const [stage, queue] of this.queues) {
      const counts = await queue.getJobCounts(...allStates);
      for (const state of allStates) out.push({ stage, state, jobs: counts[state] ?? 0 });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) await queue.close();
  }
}
