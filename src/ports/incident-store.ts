import type { AuditEvent, AuditEventInput } from '../domain/audit.js';
import type { DraftRecord } from '../domain/draft.js';
import type { EvidenceBundle } from '../domain/evidence/bundle.js';
import type { Incident, IncidentAlert, IncidentState } from '../domain/incident.js';
import type { Approval, Execution, Plan } from '../domain/plan.js';

export interface IncidentQuery {
  states?: IncidentState[];
  /** ISO instants bounding openedAt. */
  since?: string;
  until?: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

export interface AlertReceipt {
  key: string;
  incidentId: string | null;
  receivedAt: string;
}

/** Everything a stage may do inside one atomic unit of work. */
export interface IncidentTx {
  seenAlertKeys(keys: readonly string[]): Promise<Set<string>>;
  recordAlertReceipts(receipts: readonly AlertReceipt[]): Promise<void>;
  getIncident(id: string): Promise<Incident | null>;
  /** The newest incident that holds an alert with this fingerprint. */
  findIncidentByFingerprint(fingerprint: string, correlationKey: string): Promise<Incident | null>;
  insertIncident(incident: Incident): Promise<void>;
  updateIncident(incident: Incident): Promise<void>;
  /** Inserts or updates the alert; `created` is false when the incident already held that fingerprint. */
  upsertAlert(incidentId: string, alert: IncidentAlert): Promise<{ created: boolean }>;
  firingCount(incidentId: string): Promise<number>;
  appendAudit(events: readonly AuditEventInput[], at: Date): Promise<AuditEvent[]>;
  /** Replaces the incident's evidence bundle. */
  saveEvidence(incidentId: string, bundle: EvidenceBundle): Promise<void>;
  /** Replaces the similar past incidents retrieved for the incident. */
  saveSimilar(incidentId: string, similar: SimilarRecord): Promise<void>;
  /** Replaces the incident's draft. */
  saveDraft(incidentId: string, draft: DraftRecord): Promise<void>;
  /** Stores a plan; a plan id is written once (a second save of the same id is ignored). */
  savePlan(plan: Plan): Promise<void>;
  getPlan(planId: string): Promise<Plan | null>;
  /** Records a decision; `recorded` is false when this person already decided the same way on the plan. */
  recordApproval(approval: Approval): Promise<{ recorded: boolean }>;
  approvals(planId: string): Promise<Approval[]>;
  getExecution(planId: string): Promise<Execution | null>;
  /**
   * Inserts the execution, or updates it. `created` is false when an execution of the plan already
   * existed with another idempotency key: the caller lost the race and must not apply anything.
   */
  saveExecution(execution: Execution): Promise<{ created: boolean; current: Execution }>;
  /** Executions started at or after `since`, in the whole cluster or for one workload's correlation key. */
  countExecutions(filter: { since: string; cluster?: string; correlationKey?: string }): Promise<number>;
  setSetting(key: string, value: unknown): Promise<void>;
}

/** What retrieval found, as stored with the incident. */
export interface SimilarRecord {
  retrievedAt: string;
  embedder: string;
  matches: Array<{
    incidentId: string;
    title: string;
    at: string;
    score: number;
    vectorScore: number;
    action: {
      playbook: string;
      target: { kind: string; namespace?: string; name: string } | null;
      params: Record<string, unknown>;
    };
    outcome: string;
    diagnosis: string;
  }>;
}

export interface IncidentStore {
  /** Runs `work` atomically and serialised against every other writer, across processes. */
  transaction<T>(work: (tx: IncidentTx) => Promise<T>): Promise<T>;
  list(query: IncidentQuery): Promise<IncidentPage>;
  get(id: string): Promise<Incident | null>;
  alerts(incidentId: string): Promise<IncidentAlert[]>;
  countByState(): Promise<Partial<Record<IncidentState, number>>>;
  evidence(incidentId: string): Promise<EvidenceBundle | null>;
  /**
   * Forgets alert receipts older than the instant (they only guard against re-delivery, which
   * Alertmanager stops long before); returns how many were removed.
   */
  pruneReceipts(olderThan: string): Promise<number>;
  similar(incidentId: string): Promise<SimilarRecord | null>;
  draft(incidentId: string): Promise<DraftRecord | null>;
  /** The incident's newest plan. */
  latestPlan(incidentId: string): Promise<Plan | null>;
  plan(planId: string): Promise<Plan | null>;
  approvals(planId: string): Promise<Approval[]>;
  execution(planId: string): Promise<Execution | null>;
  /** As IncidentTx.countExecutions, outside a transaction (a read takes no write lock). */
  countExecutions(filter: { since: string; cluster?: string; correlationKey?: string }): Promise<number>;
  /** A small persisted setting (the kill switch lives here); null when never set. */
  setting(key: string): Promise<unknown>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
