import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld } from '../../src/adapters/replay/world.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import type { ClusterWriter } from '../../src/ports/cluster-writer.js';

/** What `medic demo` and the evals do to a replayed world: remediate, watch the rollout, roll back. */
const fixture = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');
const checkout = { kind: 'Deployment', namespace: 'shop', name: 'checkout' } as const;
const apply = { dryRun: false, fieldManager: 'medic' };
const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';

let server: KubeReplayServer;
let writer: ClusterWriter;
let reader: ClusterReader;

beforeAll(async () => {
  const world = await loadWorld(fixture);
  const image = 'registry.k8s.io/pause:3.10';
  const template = (app: string) => ({
    metadata: { labels: { app } },
    spec: { containers: [{ name: app, image }] },
  });
  const extra: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop', generation: 1 },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: template('db'),
      },
      status: {
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 2,
        currentRevision: 'db-1',
        updateRevision: 'db-1',
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'shop', generation: 1 },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
      },
    },
  ];
  server = await startKubeReplayServer([...world.kubernetes, ...extra], { writable: true });
  writer = createClusterWriter({ kubeconfigYaml: server.kubeconfigYaml });
  reader = createClusterReader({ kubeconfigYaml: server.kubeconfigYaml });
});
afterAll(async () => {
  await server.close();
});

describe('a replayed world under remediation', () => {
  it('rolls a memory raise out: new ReplicaSet at revision 3, old ones at zero, fresh pods', async () => {
    const patch = {
      spec: {
        template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '1Gi' } } }] } },
      },
    };
    const patched = await writer.patch(checkout, 'strategic-merge', patch, apply);
    expect(rolloutStatus(patched).done).toBe(true);
    expect(patched.metadata.annotations?.[REVISION]).toBe('3');
    const sets = await reader.replicaSets('shop', 'app=checkout');
    expect(sets.map((s) => [s.metadata.annotations?.[REVISION], s.spec?.['replicas']])).toEqual([
      ['3', 3],
      ['2', 0],
      ['1', 0],
    ]);
    const pods = await reader.pods('shop', 'app=checkout');
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => p.metadata.labels?.[HASH]))).toEqual(
      new Set([sets[0]?.metadata.labels?.[HASH]]),
    );
  });

  it('scales without a new revision', async () => {
    const scaled = await writer.patch(checkout, 'merge', { spec: { replicas: 4 } }, apply);
    expect(scaled.metadata.annotations?.[REVISION]).toBe('3');
    expect(scaled.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(await reader.pods('shop', 'app=checkout')).toHaveLength(4);
  });

  it('rolls back by reusing the older ReplicaSet under the next revision', async () => {
    const [, previous] = await reader.replicaSets('shop', 'app=checkout');
    const template = structuredClone(previous?.spec?.['template']) as {
      metadata: { labels: Record<string, string> };
    };
    delete template.metadata.labels[HASH];
    await writer.patch(checkout, 'json', [{ op: 'replace', path: '/spec/template', value: template }], apply);
    const sets = await reader.replicaSets('shop', 'app=checkout');
    expect(sets).toHaveLength(3);
    expect(sets[0]?.metadata.name).toBe(previous?.metadata.name);
    expect(sets[0]?.metadata.annotations?.[REVISION]).toBe('4');
    expect((await reader.get(checkout))?.metadata.annotations?.[REVISION]).toBe('4');
  });

  it('rolls StatefulSets and DaemonSets out too', async () => {
    const restart = {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } } },
    };
    const db = await writer.patch(
      { kind: 'StatefulSet', namespace: 'shop', name: 'db' },
      'strategic-merge',
      restart,
      apply,
    );
    expect(rolloutStatus(db)).toMatchObject({ done: true });
    expect(db.status?.['updateRevision']).not.toBe('db-1');
    const agent = await writer.patch(
      { kind: 'DaemonSet', namespace: 'shop', name: 'agent' },
      'strategic-merge',
      restart,
      apply,
    );
    expect(rolloutStatus(agent)).toEqual({
      done: true,
      failed: false,
      message: 'daemon set "agent" successfully rolled out',
    });
    expect(agent.status?.['observedGeneration']).toBe(2);
  });
});
