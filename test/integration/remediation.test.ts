import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { TestMedic } from '../support/medic.js';
import { waitFor } from '../support/ports.js';
import { type ReplayMedic, startReplayMedic } from '../support/replay-medic.js';

let setup: ReplayMedic;
let replay: ReplayMedic['replay'];
let medic: TestMedic;

beforeAll(async () => {
  setup = await startReplayMedic();
  ({ replay, medic } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

const stateOf = async (id: string) => (await medic.runtime.store.get(id))?.state;

async function liveMemoryLimit(): Promise<string | undefined> {
  const deployment = (await replay.overrides.evidence?.sources.cluster?.get({
    kind: 'Deployment',
    namespace: 'shop',
    name: 'checkout',
  })) as KubeObject;
  const template = deployment.spec?.['template'] as { spec: { containers: Array<Record<string, unknown>> } };
  const app = template.spec.containers.find((c) => c['name'] === 'app') as {
    resources?: { limits?: { memory?: string } };
  };
  return app.resources?.limits?.memory;
}

const writes = () => setup.writes();

describe('an alert becomes an approved, executed, verified and remembered remediation', () => {
  let incidentId = '';

  it('drafts, dry-runs and parks the plan for approval without touching the cluster', async () => {
    const accepted = await medic.post('/v1/webhooks/alertmanager', replay.world.alert);
    expect(accepted.status).toBe(202);
    incidentId = (accepted.body as { incidents: string[] }).incidents[0] ?? '';
    const parked = await waitFor(
      'the incident to wait for approval',
      async () => {
        const state = await stateOf(incidentId);
        return state === 'awaiting-approval' || state === 'escalated' ? state : null;
      },
      30_000,
    );
    expect(parked).toBe('awaiting-approval');
    const detail = (await medic.get(`/v1/incidents/${incidentId}`)).body as {
      draft: { draft: { playbook: string; params: Record<string, string> }; drafter: { name: string } };
      plan: { verdict: { decision: string }; dryRun: Array<{ ok: boolean; diff: string }> };
      timeline: Array<{ type: string }>;
    };
    expect(detail.draft.draft.playbook).toBe('set-resources');
    expect(detail.draft.drafter.name).toBe('case-based-v1');
    expect(detail.plan.verdict.decision).toBe('needs-approval');
    expect(detail.plan.dryRun[0]?.ok).toBe(true);
    expect(detail.plan.dryRun[0]?.diff).toContain(
      `+              memory: ${detail.draft.draft.params['limits.memory']}`,
    );
    expect(detail.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['evidence.collected', 'similar.retrieved', 'draft.proposed', 'guard.verdict']),
    );
    expect(writes()).toEqual([]);
    expect(await liveMemoryLimit()).toBe('512Mi');
  });

  it('applies the approved plan exactly once, waits for the rollout and verifies it', async () => {
    const approved = await medic.post(`/v1/incidents/${incidentId}/approve`, { by: 'alice' });
    expect(approved.body, JSON.stringify(approved.body)).toMatchObject({ status: 'approved' });
    const final = await waitFor(
      'the execution to finish',
      async () => {
        const state = await stateOf(incidentId);
        return state === 'resolved' || state === 'rolled-back' || state === 'failed' || state === 'escalated'
          ? state
          : null;
      },
      30_000,
    );
    const plan = await medic.runtime.store.latestPlan(incidentId);
    const execution = await medic.runtime.store.execution(plan?.id ?? '');
    expect(final, JSON.stringify(execution)).toBe('resolved');
    expect(execution?.state).toBe('succeeded');
    expect(writes()).toHaveLength(1);
    expect(await liveMemoryLimit()).toBe(plan?.params['limits.memory']);
    const types = (await medic.runtime.store.read({ incident: incidentId })).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['approval.recorded', 'execution.started', 'execution.verified']),
    );
  });

  it('remembers the ended incident with its outcome for next time', async () => {
    const memory = await medic.runtime.openMemory();
    try {
      const remembered = await waitFor(
        'the incident to be learned',
        async () => (await memory.index.list(100)).find((p) => p.incidentId === incidentId),
        20_000,
      );
      expect(remembered.outcome).toBe('resolved');
      expect(remembered.action.playbook).toBe('set-resources');
    } finally {
      await memory.index.close();
    }
  });
});
