import { randomUUID } from 'node:crypto';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { claimExecution, finishedStates } from './execute-claim.js';
import {
  DEFAULT_LEASE_MS,
  type ExecuteDeps,
  type ExecuteOptions,
  type ExecutionReport,
  paused,
} from './execute-deps.js';
import { ExecutionRun } from './execute-run.js';
import { audit } from './execution-log.js';

export type { ExecuteDeps, ExecuteOptions, ExecutionReport } from './execute-deps.js';

/**
 * Applies an approved plan exactly once, waits for its rollout, verifies it and rolls it back when it
 * did not work. Safe to call again for the same plan at any time: a finished or live execution is
 * reported, not repeated, and one whose run died is continued from its next step.
 */
export async function executePlan(
  planId: string,
  deps: ExecuteDeps,
  options: ExecuteOptions = {},
): Promise<ExecutionReport> {
  const plan = await deps.store.plan(planId);
  if (!plan) throw new MedicError(ErrorCodes.notFound, `plan ${planId} is not stored`);
  const playbook = deps.catalog.get(plan.playbook);
  if (!playbook) {
    throw new MedicError(
      ErrorCodes.invalidPlaybook,
      `plan ${planId} names playbook ${plan.playbook}, which is not loaded`,
    );
  }
  const existing = await deps.store.execution(planId);
  const started = existing !== null && existing.state !== 'pending';
  if (!started && (await paused(deps))) {
    await audit(deps, plan.incidentId, [
      { type: 'execution.skipped.paused', data: { plan: plan.id, playbook: plan.playbook, step: 0 } },
    ]);
    throw new MedicError(ErrorCodes.paused, 'the kill switch is on: the execution was not started', {
      plan: plan.id,
      retryable: true,
    });
  }
  const claim = await claimExecution(deps, plan, {
    key: options.idempotencyKey ?? randomUUID(),
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
  });
  if (claim.kind === 'duplicate') {
    await audit(deps, plan.incidentId, [
      {
        type: 'execution.duplicate',
        data: {
          plan: plan.id,
          playbook: plan.playbook,
          state: claim.execution.state,
          outcome: 'not applied again',
        },
      },
    ]);
    deps.logger.info(
      { incident: plan.incidentId, plan: plan.id, state: claim.execution.state },
      'execution exists',
    );
    const finished = finishedStates.has(claim.execution.state);
    // The hand-off is idempotent; repeating it covers a run that finished but died before enqueueing.
    if (finished) await deps.stages.enqueue('learn', plan.incidentId, 'outcome');
    return { execution: claim.execution, outcome: finished ? 'duplicate' : 'in-progress' };
  }
  const run = new ExecutionRun(plan, playbook, claim.execution, claim.resumed, deps);
  return { execution: await run.run(), outcome: 'ran' };
}
