import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import type { Approval, Plan } from '../domain/plan.js';
import {
  type ExecuteDeps,
  type ExecuteOptions,
  type ExecutionReport,
  executePlan,
} from '../runner/execute.js';

/** An execution may start from approved; a retried job also finds its incident mid-execution or finished. */
const executableStates: ReadonlySet<IncidentState> = new Set(['approved', 'executing', 'verifying']);

/** Distinct people who approved the plan (a person who approved twice counts once). */
export function distinctApprovers(approvals: readonly Approval[], planId: string): string[] {
  const by = approvals.filter((a) => a.planId === planId && a.decision === 'approve').map((a) => a.by);
  return [...new Set(by)];
}

/** Why the plan may not run, or null when it may. */
export function approvalProblem(plan: Plan, approvals: readonly Approval[]): string | null {
  const { verdict } = plan;
  if (verdict.decision === 'denied') return `plan ${plan.id} was denied by policy`;
  if (verdict.decision === 'auto-approved') return null;
  const approvers = distinctApprovers(approvals, plan.id);
  const needed = Math.max(1, verdict.approvers);
  if (approvers.length < needed) {
    return `plan ${plan.id} needs ${needed} distinct approvals and has ${approvers.length}`;
  }
  return null;
}

/** The execute stage's job: run the incident's approved plan through the playbook runner. */
export async function runExecuteStage(
  incidentId: string,
  deps: ExecuteDeps,
  options: ExecuteOptions = {},
): Promise<ExecutionReport> {
  const incident = await deps.store.get(incidentId);
  if (!incident) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} is not stored`);
  const plan = await deps.store.latestPlan(incidentId);
  if (!plan) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} has no plan`);
  const existing = await deps.store.execution(plan.id);
  if (existing && !executableStates.has(incident.state)) {
    // A retried job after the execution finished: report it, change nothing.
    return executePlan(plan.id, deps, options);
  }
  if (incident.state !== 'approved' && !(existing && executableStates.has(incident.state))) {
    throw new MedicError(
      ErrorCodes.approvalRefused,
      `incident ${incidentId} is ${incident.state}, not approved: nothing is executed`,
      { incident: incidentId, state: incident.state },
    );
  }
  const problem = approvalProblem(plan, await deps.store.approvals(plan.id));
  if (problem !== null) {
    throw new MedicError(ErrorCodes.approvalRefused, `${problem}: nothing is executed`, {
      incident: incidentId,
      plan: plan.id,
    });
  }
  return executePlan(plan.id, deps, options);
}
