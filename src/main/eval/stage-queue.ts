import type { IncidentStage, StageQueue } from '../../ports/stage-queue.js';

export interface HandOff {
  stage: IncidentStage;
  incidentId: string;
  occasion: string;
}

export type StageHandlers = Partial<Record<IncidentStage, (incidentId: string) => Promise<void>>>;

/**
 * A StageQueue in one process for evals: records every hand-off, idempotently per (stage, incident,
 * occasion) as BullMQ's job ids make it, and runs the handled stages one after another on `drain`.
 * Jobs are only run on drain because correlate enqueues inside its transaction, before the commit.
 * Stages without a handler (execute, learn) are recorded and never run: evals execute nothing.
 */
export class InProcessStageQueue implements StageQueue {
  readonly handOffs: HandOff[] = [];
  private readonly pending: HandOff[] = [];
  private readonly keys = new Set<string>();

  constructor(private readonly handlers: StageHandlers) {}

  async enqueue(stage: IncidentStage, incidentId: string, occasion: string): Promise<void> {
    const key = `${stage}\u0000${incidentId}\u0000${occasion}`;
    if (this.keys.has(key)) return;
    this.keys.add(key);
    const handOff = { stage, incidentId, occasion };
    this.handOffs.push(handOff);
    if (this.handlers[stage]) this.pending.push(handOff);
  }

  /** Whether a stage was handed this incident. */
  handed(stage: IncidentStage, incidentId: string): boolean {
    return this.handOffs.some((h) => h.stage === stage && h.incidentId === incidentId);
  }

  /** Runs queued jobs, and the jobs they enqueue, until none is left. A stage's error propagates. */
  async drain(): Promise<void> {
    for (let job = this.pending.shift(); job; job = this.pending.shift()) {
      await this.handlers[job.stage]?.(job.incidentId);
    }
  }
}
