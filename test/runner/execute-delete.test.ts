import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Plan } from '../../src/domain/plan.js';
import type { Playbook, PlaybookCatalog, RenderedStep } from '../../src/domain/playbook.js';
import type { ClusterWriter } from '../../src/ports/cluster-writer.js';
import { type ExecuteDeps, executePlan } from '../../src/runner/execute.js';
import { fakeClock, incidentFixture, metricsWorld, planFixture } from './execute-fixtures.js';

const playbook = (id: string, rollback: Playbook['rollback'], verify: Playbook['verify'] = []): Playbook => ({
  id,
  description: id,
  risk: 'low',
  targetKinds: [],
  paramsSchema: {},
  preconditions: [],
  steps: [],
  wait: null,
  verify,
  rollback,
  source: 'test/runner/execute-delete.test.ts',
});

const playbooks = [
  playbook('delete-pod', 'none'),
  playbook('cordon-node', 'restore', [
    { signal: 'node_cpu_utilisation', promql: null, condition: 'below', threshold: 0.9, windowSeconds: 300 },
  ]),
];
const catalog: PlaybookCatalog = {
  list: () => playbooks,
  get: (id) => playbooks.find((p) => p.id === id),
  checkParams: () => [],
};

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'checkout-7d9f8-abcde', namespace: 'shop', labels: { app: 'checkout' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/checkout:1.4.2' }] },
};
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function setup(objects: KubeObject[], playbookId: string, steps: RenderedStep[]) {
  const server: KubeReplayServer = await startKubeReplayServer(objects, { writable: true });
  const dir = mkdtempSync(join(tmpdir(), 'medic-runner-'));
  const store = new SqliteStore(join(dir, 'medic.db'));
  cleanup.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });
  const base = planFixture('inc-delete', 'shop', steps);
  const ref = steps[0]?.ref ?? null;
  const plan: Plan = { ...base, playbook: playbookId, target: ref };
  await store.transaction(async (tx) => {
    await tx.insertIncident(incidentFixture('inc-delete', 'shop'));
    await tx.savePlan(plan);
  });
  const clock = fakeClock();
  const config = { kubeconfigYaml: server.kubeconfigYaml };
  const deps: ExecuteDeps = {
    store,
    writer: createClusterWriter(config),
    reader: createClusterReader(config),
    // The node's CPU stays saturated whatever is done: verification of a cordon fails.
    metrics: await metricsWorld([
      { signal: 'node_cpu_utilisation', labels: { node: 'node-1' }, values: '0.95+0.001x40' },
    ]),
    catalog,
    stages: { enqueue: async () => {} },
    clock,
    sleep: async (ms) => clock.advance(ms),
    logger: pino({ level: 'silent' }),
    fieldManager: 'medic',
    pollIntervalMs: 1000,
  };
  return { server, store, plan, deps };
}

describe('playbook runner: pods and nodes', () => {
  it('does not delete a pod twice when resuming after a crash right after the DELETE', async () => {
    const ref = { kind: 'Pod', namespace: 'shop', name: pod.metadata.name };
    const { server, store, plan, deps } = await setup([pod], 'delete-pod', [{ action: 'delete', ref }]);
    const crashing: ClusterWriter = {
      patch: (...args) => deps.writer.patch(...args),
      delete: async (r, options) => {
        await deps.writer.delete(r, options);
        throw new Error('simulated crash after the DELETE');
      },
    };
    await expect(executePlan(plan.id, { ...deps, writer: crashing })).rejects.toThrow(/simulated crash/);
    const report = await executePlan(plan.id, deps);
    expect(report.execution.state).toBe('succeeded');
    expect(server.requests.filter((r) => r.startsWith('DELETE '))).toHaveLength(1);
    const applied = (await store.read({ incident: plan.incidentId })).find(
      (e) => e.type === 'execution.step.applied',
    );
    expect(applied?.data).toMatchObject({ outcome: 'already-gone', object: 'Pod shop/checkout-7d9f8-abcde' });
  });

  it('repeats the hand-off to learn when a finished run could not enqueue it', async () => {
    const ref = { kind: 'Pod', namespace: 'shop', name: pod.metadata.name };
    const { server, store, plan, deps } = await setup([pod], 'delete-pod', [{ action: 'delete', ref }]);
    const enqueued: string[] = [];
    let queueDown = true;
    const stages = {
      enqueue: async (stage: string, incident: string, occasion: string) => {
        if (queueDown) throw new Error('redis is away');
        enqueued.push(`${stage}:${incident}:${occasion}`);
      },
    };
    await expect(executePlan(plan.id, { ...deps, stages })).rejects.toThrow(/redis is away/);
    expect(await store.execution(plan.id)).toMatchObject({ state: 'succeeded', error: null });
    queueDown = false;
    const retried = await executePlan(plan.id, { ...deps, stages });
    expect(retried.outcome).toBe('duplicate');
    expect(enqueued).toEqual([`learn:${plan.incidentId}:outcome`]);
    expect(server.requests.filter((r) => r.startsWith('DELETE '))).toHaveLength(1);
  });

  it('uncordons the node again when the cordon did not help', async () => {
    const ref = { kind: 'Node', name: 'node-1' };
    const { store, plan, deps } = await setup([node], 'cordon-node', [
      { action: 'patch', ref, patchType: 'merge', patch: { spec: { unschedulable: true } } },
    ]);
    const report = await executePlan(plan.id, deps);
    expect(report.execution.state).toBe('rolled-back');
    expect(report.execution.verification.join('\n')).toMatch(
      /failed: node_cpu_utilisation below 0.9 over 300s: .*is 0.9\d+, not below 0.9/,
    );
    expect(
      (await deps.reader.get({ kind: 'Node', name: 'node-1' }))?.spec?.['unschedulable'],
    ).toBeUndefined();
    expect((await store.get(plan.incidentId))?.state).toBe('rolled-back');
  });
});
