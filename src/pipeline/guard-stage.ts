import { createHash } from 'node:crypto';
import { NON_ACTING_PLAYBOOKS, refOf } from '../domain/draft.js';
import { ErrorCodes, isMedicError, MedicError } from '../domain/errors.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import { assertTransition, type IncidentState } from '../domain/incident.js';
import type { DryRunResult, Plan, Verdict } from '../domain/plan.js';
import type { ObjectRef, Playbook, PlaybookCatalog, RenderedStep } from '../domain/playbook.js';
import type { Logger } from '../observability/logger.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterReader } from '../ports/cluster.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';
import { objectDiff } from '../runner/object-diff.js';
import { checkPreconditions } from '../runner/preconditions.js';
import { renderSteps } from '../runner/render.js';
import { type GuardFacts, guardFacts } from './guard-context.js';

export interface GuardStageDeps {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  catalog: PlaybookCatalog;
  policy: Policy;
  /** Absent when no cluster is configured: every acting draft is then denied (nothing can be dry-run). */
  cluster?: { reader: ClusterReader; writer: ClusterWriter };
  fieldManager: string;
  stages?: StageQueue;
  /** Called when a plan waits for people (Slack posts its card here). */
  onAwaitingApproval?: (plan: Plan) => Promise<void>;
  onVerdict?: (plan: Plan) => void;
}

const ACTOR = 'medic/guard';

const stateFor: Record<Verdict['decision'], IncidentState> = {
  denied: 'escalated',
  'needs-approval': 'awaiting-approval',
  'auto-approved': 'approved',
};

const label = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Every step sent with dryRun=All; the answers become the diff approvers read. */
async function dryRun(
  steps: RenderedStep[],
  live: KubeObject | null,
  deps: { writer: ClusterWriter; fieldManager: string },
): Promise<DryRunResult[]> {
  const options = { dryRun: true, fieldManager: deps.fieldManager };
  const results: DryRunResult[] = [];
  for (const step of steps) {
    try {
      if (step.action === 'delete') {
        await deps.writer.delete(step.ref, options);
        results.push({
          ref: step.ref,
          ok: true,
          message: null,
          diff: objectDiff(live, null, label(step.ref)),
        });
      } else {
        const after = await deps.writer.patch(step.ref, step.patchType, step.patch, options);
        results.push({
          ref: step.ref,
          ok: true,
          message: null,
          diff: objectDiff(live, after, label(step.ref)),
        });
      }
    } catch (error) {
      if (isMedicError(error) && error.code === ErrorCodes.clusterUnavailable) throw error;
      results.push({ ref: step.ref, ok: false, message: message(error), diff: '' });
    }
  }
  return results;
}

interface Prepared {
  steps: RenderedStep[];
  dryRun: DryRunResult[];
  problems: string[];
  facts: GuardFacts | null;
}

async function prepare(
  playbook: Playbook,
  plan: Pick<Plan, 'draft'>,
  deps: GuardStageDeps & { cluster: { reader: ClusterReader; writer: ClusterWriter } },
  facts: GuardFacts,
) {
  const prepared: Prepared = { steps: [], dryRun: [], problems: [], facts };
  const { draft } = plan;
  if (!draft.target) return prepared;
  prepared.problems.push(...checkPreconditions(playbook, { object: facts.target, params: draft.params }));
  if (!facts.target) return prepared;
  try {
    prepared.steps = renderSteps(playbook, {
      target: refOf(draft.target),
      params: draft.params,
      object: facts.target,
      replicaSets: facts.replicaSets,
      now: deps.clock.now(),
    });
  } catch (error) {
    prepared.problems.push(`render: ${message(error)}`);
    return prepared;
  }
  prepared.dryRun = await dryRun(prepared.steps, facts.target, {
    writer: deps.cluster.writer,
    fieldManager: deps.fieldManager,
  });
  return prepared;
}

function planId(incidentId: string, draftedAt: string): string {
  return `${incidentId}-${createHash('sha256').update(draftedAt).digest('hex').slice(0, 8)}`;
}

/**
 * The guard stage's job: render the draft into concrete steps, dry-run them against the API server,
 * judge them with policy, store the plan with its diff and verdict, and route the incident.
 */
export async function runGuardStage(incidentId: string, deps: GuardStageDeps): Promise<Plan | null> {
  const [incident, record] = await Promise.all([deps.store.get(incidentId), deps.store.draft(incidentId)]);
  if (!incident || !record) {
    throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} has no stored draft yet`);
  }
  const log = deps.logger.child({ incident: incidentId, stage: 'guard' });
  const id = planId(incidentId, record.draftedAt);
  const existing = await deps.store.plan(id);
  if (existing || incident.state !== 'drafted') {
    log.info({ state: incident.state, plan: existing?.id ?? null }, 'draft already guarded; nothing to do');
    return existing;
  }
  const { draft } = record;
  const playbook = deps.catalog.get(draft.playbook);
  if (!playbook)
    throw new MedicError(ErrorCodes.invalidDraft, `draft names unknown playbook ${draft.playbook}`);
  const now = deps.clock.now();
  const acting = !NON_ACTING_PLAYBOOKS.has(draft.playbook);
  const cluster = deps.cluster;
  const facts = await guardFacts(draft, incident, {
    cluster: cluster?.reader ?? null,
    store: deps.store,
    now,
  });
  const prepared: Prepared =
    acting && cluster
      ? await prepare(playbook, record, { ...deps, cluster }, facts)
      : { steps: [], dryRun: [], problems: [], facts };
  if (acting && !cluster)
    prepared.problems.push('no Kubernetes cluster is configured: nothing can be dry-run or applied');
  const dryRunProblems = [
    ...prepared.problems,
    ...prepared.dryRun.filter((r) => !r.ok).map((r) => `dry-run of ${label(r.ref)}: ${r.message}`),
  ];
  const verdict = evaluatePolicy({
    policy: deps.policy,
    playbook,
    draft,
    incident: {
      id: incident.id,
      cluster: incident.cluster,
      namespace: incident.namespace,
      correlationKey: incident.correlationKey,
    },
    target: facts.target,
    targetNamespace: facts.targetNamespace,
    limitRanges: facts.limitRanges,
    resourceQuotas: facts.resourceQuotas,
    nodes: facts.nodes,
    replicaSets: facts.replicaSets,
    recent: facts.recent,
    dryRunProblems,
    noop: acting && prepared.dryRun.length > 0 && prepared.dryRun.every((r) => r.ok && r.diff === ''),
    now,
  });
  const plan: Plan = {
    id,
    incidentId,
    playbook: draft.playbook,
    target: draft.target ? refOf(draft.target) : null,
    params: draft.params,
    draft,
    steps: prepared.steps,
    dryRun: prepared.dryRun,
    verdict,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.policy.approvals.ttlMinutes * 60_000).toISOString(),
  };
  const next: IncidentState = !acting
    ? draft.playbook === 'none'
      ? 'resolved'
      : 'escalated'
    : stateFor[verdict.decision];
  await deps.store.transaction(async (tx) => {
    const current = await tx.getIncident(incidentId);
    if (!current) throw new MedicError(ErrorCodes.notFound, `incident ${incidentId} vanished`);
    await tx.savePlan(plan);
    await tx.appendAudit(
      [
        {
          incident: incidentId,
          actor: ACTOR,
          type: 'guard.verdict',
          data: {
            plan: plan.id,
            playbook: plan.playbook,
            target: plan.target,
            params: plan.params,
            decision: verdict.decision,
            reasons: verdict.reasons,
            approvers: verdict.approvers,
            risk: verdict.risk,
            dryRun: plan.dryRun.map((r) => ({ ref: r.ref, ok: r.ok, message: r.message, diff: r.diff })),
          },
        },
      ],
      now,
    );
    if (current.state === 'drafted') {
      assertTransition(current.state, next);
      const resolved = next === 'resolved' ? { resolvedAt: now.toISOString() } : {};
      await tx.updateIncident({ ...current, ...resolved, state: next, updatedAt: now.toISOString() });
    }
  });
  deps.onVerdict?.(plan);
  if (acting && verdict.decision === 'auto-approved')
    await deps.stages?.enqueue('execute', incidentId, plan.id);
  if (acting && verdict.decision === 'needs-approval') await deps.onAwaitingApproval?.(plan);
  if (next !== 'awaiting-approval' && next !== 'approved')
    await deps.stages?.enqueue('learn', incidentId, plan.id);
  log.info({ plan: plan.id, playbook: plan.playbook, decision: verdict.decision, next }, 'draft guarded');
  return plan;
}
