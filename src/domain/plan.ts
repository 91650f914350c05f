import type { Draft } from './draft.js';
import type { KubeObject } from './evidence/telemetry.js';
import type { ObjectRef, RenderedStep, Risk } from './playbook.js';

export type VerdictDecision = 'denied' | 'needs-approval' | 'auto-approved';

export interface Verdict {
  decision: VerdictDecision;
  /** Every rule that spoke, e.g. "scale: 12 replicas is above 2x the current 4". */
  reasons: string[];
  /** Distinct human approvals needed; 0 when auto-approved or denied. */
  approvers: number;
  risk: Risk;
}

/** What a server-side dry-run (dryRun=All) of one step answered. */
export interface DryRunResult {
  ref: ObjectRef;
  ok: boolean;
  /** The API server's message when it refused. */
  message: string | null;
  /** Unified diff of the object as YAML, before → after (empty when unchanged). */
  diff: string;
}

/** A guarded draft: the exact steps that would run, what dry-run said, and policy's verdict. */
export interface Plan {
  id: string;
  incidentId: string;
  playbook: string;
  target: ObjectRef | null;
  params: Record<string, unknown>;
  draft: Draft;
  steps: RenderedStep[];
  dryRun: DryRunResult[];
  verdict: Verdict;
  createdAt: string;
  /** Approvals after this instant are refused. */
  expiresAt: string;
}

export interface Approval {
  planId: string;
  incidentId: string;
  decision: 'approve' | 'reject';
  by: string;
  via: 'http' | 'cli' | 'slack';
  reason: string | null;
  at: string;
}

export type ExecutionState =
  | 'pending'
  | 'applying'
  | 'waiting'
  | 'verifying'
  | 'succeeded'
  | 'rolling-back'
  | 'rolled-back'
  | 'failed'
  | 'rollback-failed';

export interface Execution {
  planId: string;
  incidentId: string;
  /** Persisted before the first write; a second execution of the plan finds it and never re-applies. */
  idempotencyKey: string;
  state: ExecutionState;
  /** Index of the next step to apply; steps below it are applied. */
  nextStep: number;
  /** The objects as they were before the first write, for rollback. */
  preState: KubeObject[];
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Verification results as human-readable lines. */
  verification: string[];
}
