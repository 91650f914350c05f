import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { IncidentStage, StageQueue } from '../../ports/stage-queue.js';
import type { RedisSettings } from './connection.js';
import { type JobPolicy, jobOptions } from './ingest-queue.js';
import { stageQueues } from './stages.js';

/** Incident-stage jobs; the job id makes enqueueing idempotent (BullMQ ignores an add with a known id). */
export class BullmqStageQueue implements StageQueue {
  /** One BullMQ queue per stage; tests and admin tools read their counts. */
  readonly queues: Map<IncidentStage, Queue>;

  constructor(
    connection: Redis,
    settings: RedisSettings,
    private readonly jobs: JobPolicy,
  ) {
    const queue = (stage: IncidentStage) =>
      new Queue(stageQueues[stage], {
        connection,
        prefix: settings.prefix,
        defaultJobOptions: jobOptions(jobs),
      });
    const stages: IncidentStage[] = ['gather', 'retrieve', 'draft', 'guard', 'execute', 'learn'];
    this.queues = new Map(stages.map((stage) => [stage, queue(stage)]));
  }

  async enqueue(stage: IncidentStage, incidentId: string, occasion: string): Promise<void> {
    const queue = this.queues.get(stage);
    if (!queue) throw new Error(`no queue for stage ${stage}`);
    // Job ids may not contain ':' and may not be all digits.
    const jobId = `${stage}-${incidentId}-${occasion}`.replaceAll(':', '_');
    await queue.add(stage, { incidentId }, { ...jobOptions(this.jobs), jobId });
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) await queue.close();
  }
}
