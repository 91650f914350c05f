import type { Alert } from '../domain/alert.js';

export interface AlertAdmission {
  alert: Alert;
  /** The incident the alert was assigned at ingest; null for a resolved alert no open incident knows. */
  incidentId: string | null;
}

export interface AdmitOutcome extends AlertAdmission {
  /** True when this alert was admitted before; it is not queued again. */
  duplicate: boolean;
}

export interface AdmitOptions {
  correlationWindowMs: number;
  dedupeTtlMs: number;
  newIncidentId: () => string;
}

/**
 * The durable hand-off from ingest to correlate. `admit` resolves only once the new alerts are
 * stored in the queue. Outcomes are in the order of `alerts`.
 */
export interface IngestQueue {
  admit(alerts: readonly Alert[], options: AdmitOptions): Promise<AdmitOutcome[]>;
  /** Jobs waiting to be correlated. */
  backlog(): Promise<number>;
  /** Forget the correlation key → incident mapping if it still points at this incident. */
  release(correlationKey: string, incidentId: string): Promise<void>;
}
