import { afterEach, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { RenderedStep } from '../../src/domain/playbook.js';
import { patchedRefs, restorePreState } from '../../src/runner/restore.js';

const node = (name: string, unschedulable: boolean | null): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { podCIDR: '10.244.1.0/24', ...(unschedulable === null ? {} : { unschedulable }) },
});

const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'checkout', namespace: 'shop' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
    minReplicas: 2,
    maxReplicas: 6,
  },
};

let server: KubeReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function cluster(objects: KubeObject[]) {
  server = await startKubeReplayServer(objects, { writable: true });
  const config = { kubeconfigYaml: server.kubeconfigYaml };
  return { reader: createClusterReader(config), writer: createClusterWriter(config) };
}

const write = { dryRun: false, fieldManager: 'medic' };

describe('restorePreState', () => {
  it('uncordons a node that was schedulable and leaves a node that was cordoned cordoned', async () => {
    const { reader, writer } = await cluster([node('node-1', null), node('node-2', true)]);
    const before = [(await reader.get({ kind: 'Node', name: 'node-1' })) as KubeObject, node('node-2', true)];
    for (const name of ['node-1', 'node-2']) {
      await writer.patch({ kind: 'Node', name }, 'merge', { spec: { unschedulable: true } }, write);
    }
    const results = await restorePreState(
      [
        { kind: 'Node', name: 'node-1' },
        { kind: 'Node', name: 'node-2' },
      ],
      before,
      writer,
      'medic',
    );
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect((await reader.get({ kind: 'Node', name: 'node-1' }))?.spec?.['unschedulable']).toBeUndefined();
    expect((await reader.get({ kind: 'Node', name: 'node-2' }))?.spec?.['unschedulable']).toBe(true);
  });

  it('puts an HPA spec back exactly as it was', async () => {
    const { reader, writer } = await cluster([hpa]);
    const ref = { kind: 'HorizontalPodAutoscaler' as const, namespace: 'shop', name: 'checkout' };
    const before = (await reader.get(ref)) as KubeObject;
    await writer.patch(ref, 'merge', { spec: { minReplicas: 4, maxReplicas: 12 } }, write);
    const [result] = await restorePreState([ref], [before], writer, 'medic');
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/pre-change spec/) });
    expect((await reader.get(ref))?.spec).toEqual(before.spec);
  });

  it('reports an object it has no saved copy of instead of guessing', async () => {
    const { writer } = await cluster([hpa]);
    const [result] = await restorePreState(
      [{ kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'checkout' }],
      [],
      writer,
      'medic',
    );
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/no pre-change copy/) });
    expect(server?.requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
  });
});

describe('patchedRefs', () => {
  it('lists each patched object once, only among applied steps, and never a deleted pod', () => {
    const deployment = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };
    const steps: RenderedStep[] = [
      { action: 'delete', ref: { kind: 'Pod', namespace: 'shop', name: 'checkout-1' } },
      { action: 'patch', ref: deployment, patchType: 'merge', patch: {} },
      { action: 'patch', ref: deployment, patchType: 'json', patch: [] },
      { action: 'patch', ref: { kind: 'Node', name: 'node-1' }, patchType: 'merge', patch: {} },
    ];
    expect(patchedRefs(steps, 3)).toEqual([deployment]);
    expect(patchedRefs(steps, 4)).toEqual([deployment, { kind: 'Node', name: 'node-1' }]);
  });
});
