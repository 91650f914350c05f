import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { ErrorCodes } from '../../src/domain/errors.js';
import type { Incident } from '../../src/domain/incident.js';
import type { Approval, Plan } from '../../src/domain/plan.js';
import { approvalProblem, runExecuteStage } from '../../src/pipeline/execute-stage.js';
import type { ExecuteDeps } from '../../src/runner/execute.js';
import { fakeClock, incidentFixture, planFixture, raiseMemory } from './execute-fixtures.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

const untouchable = () => Promise.reject(new Error('the cluster must not be called'));

/** A store holding one incident and its plan; the cluster ports fail the test if anything reaches them. */
async function stage(state: Incident['state'], verdict: Plan['verdict']) {
  const dir = mkdtempSync(join(tmpdir(), 'medic-execute-stage-'));
  const store = new SqliteStore(join(dir, 'medic.db'));
  cleanup.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = planFixture('inc-stage', 'shop', [raiseMemory('shop')], verdict);
  await store.transaction(async (tx) => {
    await tx.insertIncident({ ...incidentFixture('inc-stage', 'shop'), state });
    await tx.savePlan(plan);
  });
  const deps = {
    store,
    writer: { patch: untouchable, delete: untouchable },
    reader: { get: untouchable },
    catalog: { list: () => [], get: () => undefined, checkParams: () => [] },
    stages: { enqueue: async () => {} },
    clock: fakeClock(),
    sleep: async () => {},
    logger: pino({ level: 'silent' }),
    fieldManager: 'medic',
    pollIntervalMs: 1000,
  } as unknown as ExecuteDeps;
  return { store, plan, deps };
}

const needsOne: Plan['verdict'] = { decision: 'needs-approval', reasons: [], approvers: 1, risk: 'medium' };

describe('runExecuteStage', () => {
  it('refuses an incident that is not approved', async () => {
    const { deps, store, plan } = await stage('awaiting-approval', needsOne);
    await expect(runExecuteStage('inc-stage', deps)).rejects.toMatchObject({
      code: ErrorCodes.approvalRefused,
      message: expect.stringMatching(/awaiting-approval, not approved/),
    });
    expect(await store.execution(plan.id)).toBeNull();
  });

  it('refuses a plan policy denied, even on an approved incident', async () => {
    const { deps } = await stage('approved', {
      decision: 'denied',
      reasons: ['kube-system'],
      approvers: 0,
      risk: 'high',
    });
    await expect(runExecuteStage('inc-stage', deps)).rejects.toMatchObject({
      code: ErrorCodes.approvalRefused,
      message: expect.stringMatching(/denied by policy/),
    });
  });

  it('refuses an incident without a plan', async () => {
    const { deps } = await stage('approved', needsOne);
    await expect(runExecuteStage('inc-missing', deps)).rejects.toMatchObject({ code: ErrorCodes.notFound });
  });
});

describe('approvalProblem', () => {
  const plan = planFixture('inc-stage', 'shop', [], { ...needsOne, approvers: 2 });
  const approval = (by: string, decision: Approval['decision'] = 'approve', planId = plan.id): Approval => ({
    planId,
    incidentId: plan.incidentId,
    decision,
    by,
    via: 'slack',
    reason: null,
    at: '2026-03-01T10:00:00.000Z',
  });

  it('counts distinct approvers of this plan only', () => {
    expect(approvalProblem(plan, [approval('alice'), approval('alice')])).toMatch(
      /needs 2 distinct approvals and has 1/,
    );
    expect(approvalProblem(plan, [approval('alice'), approval('bob', 'reject')])).toMatch(/has 1/);
    expect(approvalProblem(plan, [approval('alice'), approval('bob', 'approve', 'plan-older')])).toMatch(
      /has 1/,
    );
    expect(approvalProblem(plan, [approval('alice'), approval('bob')])).toBeNull();
  });

  it('needs no approval for an auto-approved plan', () => {
    expect(
      approvalProblem({ ...plan, verdict: { ...plan.verdict, decision: 'auto-approved', approvers: 0 } }, []),
    ).toBeNull();
  });
});
