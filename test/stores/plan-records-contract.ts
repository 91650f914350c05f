import { expect, it } from 'vitest';
import type { DraftRecord } from '../../src/domain/draft.js';
import type { Execution, Plan } from '../../src/domain/plan.js';
import { correlate } from '../../src/pipeline/correlate.js';
import type { IncidentStore } from '../../src/ports/incident-store.js';
import { admit, depsFor, firing, minute } from './fixtures.js';

const POD = 'checkout-7d9f8b6c5-xk2lp';

function planFor(incidentId: string, id: string, createdAt: string): Plan {
  return {
    id,
    incidentId,
    playbook: 'scale',
    target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
    params: { replicas: 6 },
    draft: {
      diagnosis: 'consumer lag',
      confidence: 0.8,
      playbook: 'scale',
      target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
      params: { replicas: 6 },
      rationale: 'lag grows',
      evidence_refs: [],
      risk_notes: [],
    },
    steps: [
      {
        action: 'patch',
        ref: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
        patchType: 'merge',
        patch: { spec: { replicas: 6 } },
      },
    ],
    dryRun: [],
    verdict: { decision: 'needs-approval', reasons: ['scale is medium risk'], approvers: 1, risk: 'medium' },
    createdAt,
    expiresAt: minute(60),
  };
}

function executionOf(plan: Plan, key: string, state: Execution['state'] = 'pending'): Execution {
  return {
    planId: plan.id,
    incidentId: plan.incidentId,
    idempotencyKey: key,
    state,
    nextStep: 0,
    preState: [],
    startedAt: minute(5),
    updatedAt: minute(5),
    finishedAt: null,
    error: null,
    verification: [],
  };
}

/** Drafts, plans, approvals, executions and settings: registered inside the store contract's describe. */
export function planRecordsContract(store: () => IncidentStore): void {
  const seed = async () => {
    await correlate(admit('inc-p', [firing(POD)]), depsFor(store()));
    return 'inc-p';
  };

  it('stores the draft, and plans by id with the newest one as latest', async () => {
    const incidentId = await seed();
    const record: DraftRecord = {
      draft: planFor(incidentId, 'x', minute(1)).draft,
      drafter: { kind: 'case', name: 'case-based-v1', promptVersion: null },
      attempts: [{ drafter: 'case-based-v1', ok: true, error: null, raw: null, ms: 3, usage: null }],
      similarUsed: ['inc-old'],
      draftedAt: minute(2),
      usage: null,
      latencyMs: 3,
    };
    await store().transaction((tx) => tx.saveDraft(incidentId, record));
    expect(await store().draft(incidentId)).toEqual(record);

    const older = planFor(incidentId, 'plan-1', minute(3));
    const newer = planFor(incidentId, 'plan-2', minute(4));
    await store().transaction(async (tx) => {
      await tx.savePlan(older);
      await tx.savePlan(newer);
      // A plan is written once: a second save of the same id changes nothing.
      await tx.savePlan({ ...older, params: { replicas: 99 } });
    });
    expect(await store().plan('plan-1')).toEqual(older);
    expect((await store().latestPlan(incidentId))?.id).toBe('plan-2');
    expect(await store().latestPlan('inc-none')).toBeNull();
  });

  it('records each approver once per decision', async () => {
    const incidentId = await seed();
    const plan = planFor(incidentId, 'plan-a', minute(3));
    const approval = {
      planId: plan.id,
      incidentId,
      decision: 'approve' as const,
      by: 'alice',
      via: 'http' as const,
      reason: null,
      at: minute(6),
    };
    const outcomes = await store().transaction(async (tx) => {
      await tx.savePlan(plan);
      return [
        await tx.recordApproval(approval),
        await tx.recordApproval({ ...approval, at: minute(7) }),
        await tx.recordApproval({ ...approval, by: 'bob', at: minute(8) }),
      ];
    });
    expect(outcomes.map((o) => o.recorded)).toEqual([true, false, true]);
    expect((await store().approvals(plan.id)).map((a) => a.by)).toEqual(['alice', 'bob']);
  });

  it('lets only the first idempotency key own an execution, and counts executions', async () => {
    const incidentId = await seed();
    const plan = planFor(incidentId, 'plan-e', minute(3));
    await store().transaction((tx) => tx.savePlan(plan));
    const first = await store().transaction((tx) => tx.saveExecution(executionOf(plan, 'key-1')));
    expect(first.created).toBe(true);
    const rival = await store().transaction((tx) => tx.saveExecution(executionOf(plan, 'key-2')));
    expect(rival).toEqual({ created: false, current: executionOf(plan, 'key-1') });
    const progressed = { ...executionOf(plan, 'key-1', 'applying'), nextStep: 1 };
    const update = await store().transaction((tx) => tx.saveExecution(progressed));
    expect(update.created).toBe(true);
    expect(await store().execution(plan.id)).toEqual(progressed);

    const count = (filter: { since: string; cluster?: string; correlationKey?: string }) =>
      store().transaction((tx) => tx.countExecutions(filter));
    const incident = await store().get(incidentId);
    expect(await count({ since: minute(4) })).toBe(1);
    expect(await count({ since: minute(6) })).toBe(0);
    expect(await count({ since: minute(4), cluster: incident?.cluster ?? '' })).toBe(1);
    expect(await count({ since: minute(4), cluster: 'elsewhere' })).toBe(0);
    expect(await count({ since: minute(4), correlationKey: incident?.correlationKey ?? '' })).toBe(1);
  });

  it('keeps settings such as the kill switch', async () => {
    expect(await store().setting('paused')).toBeNull();
    await store().transaction((tx) => tx.setSetting('paused', { by: 'alice', paused: true }));
    expect(await store().setting('paused')).toEqual({ by: 'alice', paused: true });
    await store().transaction((tx) => tx.setSetting('paused', false));
    expect(await store().setting('paused')).toBe(false);
  });
}
