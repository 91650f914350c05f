import type { Execution, ExecutionState, Plan } from '../domain/plan.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';

export const finishedStates: ReadonlySet<ExecutionState> = new Set([
  'succeeded',
  'rolled-back',
  'failed',
  'rollback-failed',
]);

export type Claim =
  /** This run owns the execution: freshly created, or adopted from a run that stopped or died. */
  | { kind: 'owned'; execution: Execution; resumed: boolean }
  /** Another run owns it (unfinished) or it is finished: apply nothing. */
  | { kind: 'duplicate'; execution: Execution };

export interface ClaimOptions {
  key: string;
  /** An unfinished execution not saved for this long belongs to a run that died. */
  leaseMs: number;
}

/**
 * Whether this run may continue an unfinished execution: it carries the same idempotency key (the same
 * job retried), its last run recorded why it stopped (error, kill switch), or its lease ran out.
 */
function adoptable(existing: Execution, options: ClaimOptions, now: Date): boolean {
  if (existing.idempotencyKey === options.key) return true;
  if (existing.error !== null) return true;
  return now.getTime() - Date.parse(existing.updatedAt) >= options.leaseMs;
}

/** Creates the plan's execution (state pending) or finds the one that exists, in one transaction. */
export async function claimExecution(
  deps: { store: IncidentStore; clock: Clock },
  plan: Plan,
  options: ClaimOptions,
): Promise<Claim> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const existing = await tx.getExecution(plan.id);
    if (existing) {
      if (finishedStates.has(existing.state) || !adoptable(existing, options, now)) {
        return { kind: 'duplicate', execution: existing };
      }
      // Taking over refreshes the lease and clears the stop note in the same transaction, so a second
      // run arriving now finds a live owner instead of adopting the execution as well.
      const adopted: Execution = { ...existing, error: null, updatedAt: now.toISOString() };
      await tx.saveExecution(adopted);
      return { kind: 'owned', execution: adopted, resumed: true };
    }
    const fresh: Execution = {
      planId: plan.id,
      incidentId: plan.incidentId,
      idempotencyKey: options.key,
      state: 'pending',
      nextStep: 0,
      preState: [],
      startedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      finishedAt: null,
      error: null,
      verification: [],
    };
    const saved = await tx.saveExecution(fresh);
    if (!saved.created && saved.current.idempotencyKey !== options.key) {
      return { kind: 'duplicate', execution: saved.current };
    }
    return { kind: 'owned', execution: saved.current, resumed: false };
  });
}
