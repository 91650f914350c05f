/** Hand-off to the stages after correlate; each job names one incident. */
export type IncidentStage = 'gather' | 'retrieve' | 'draft' | 'guard' | 'execute' | 'learn';

export interface StageQueue {
  /**
   * Idempotent per (stage, incident, occasion): enqueueing the same occasion twice runs the stage
   * once, so a retried job may enqueue freely.
   */
  enqueue(stage: IncidentStage, incidentId: string, occasion: string): Promise<void>;
}
