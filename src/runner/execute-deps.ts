import { ErrorCodes } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import type { Execution } from '../domain/plan.js';
import type { PlaybookCatalog } from '../domain/playbook.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterReader } from '../ports/cluster.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { MetricsSource } from '../ports/metrics-source.js';
import type { StageQueue } from '../ports/stage-queue.js';
import type { StepOutcome } from './execute-steps.js';

export interface ExecuteDeps {
  store: IncidentStore;
  writer: ClusterWriter;
  reader: ClusterReader;
  metrics?: MetricsSource | null;
  catalog: PlaybookCatalog;
  stages: StageQueue;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  logger: Logger;
  fieldManager: string;
  pollIntervalMs: number;
  /** An unfinished execution not saved for this long belongs to a run that died; default 5 minutes. */
  leaseMs?: number;
  /** The kill switch; default: the store's `paused` setting is true. */
  isPaused?(): Promise<boolean>;
  /** medic_executions_total and medic_execution_seconds, counted when an execution finishes. */
  counters?: Pick<Metrics, 'executions' | 'executionSeconds'>;
  /** Called after each step, for metrics. */
  onStep?(event: { playbook: string; step: number; outcome: StepOutcome }): void;
}

export interface ExecuteOptions {
  /** The same key on a retried job continues its own execution; default: a fresh key. */
  idempotencyKey?: string;
}

export interface ExecutionReport {
  execution: Execution;
  /**
   * ran: this call applied (or continued) the plan to a finished state. duplicate: the execution had
   * already finished. in-progress: another live run owns it; retry later (after `leaseMs` a run that
   * died is adopted) to see it finish.
   */
  outcome: 'ran' | 'duplicate' | 'in-progress';
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

/** Cluster answers that retrying the same request cannot change. */
export const permanentCodes: ReadonlySet<string> = new Set([
  ErrorCodes.clusterConflict,
  ErrorCodes.clusterInvalid,
  ErrorCodes.clusterForbidden,
  ErrorCodes.clusterNotFound,
]);

export const incidentFor: Record<'succeeded' | 'rolled-back' | 'failed' | 'rollback-failed', IncidentState> =
  {
    succeeded: 'resolved',
    'rolled-back': 'rolled-back',
    failed: 'failed',
    'rollback-failed': 'escalated',
  };

export async function paused(deps: ExecuteDeps): Promise<boolean> {
  if (deps.isPaused) return deps.isPaused();
  return (await deps.store.setting('paused')) === true;
}
