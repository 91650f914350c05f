import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld } from '../../src/adapters/replay/world.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { ClusterReader } from '../../src/ports/cluster.js';

interface ContainerStatus {
  restartCount?: number;
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

import { clusterReaderContract, forbiddenNamespace } from './cluster-reader-contract.js';

clusterReaderContract('replay server through @kubernetes/client-node', {
  preservesStatus: true,
  async start(objects) {
    const server = await startKubeReplayServer(objects, { forbiddenNamespaces: [forbiddenNamespace] });
    return { reader: createClusterReader({ kubeconfigYaml: server.kubeconfigYaml }), close: server.close };
  },
});

const fixture = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');

describe('KubernetesClusterReader on the oom-checkout world', () => {
  let server: KubeReplayServer;
  let reader: ClusterReader;
  let dir: string;

  beforeAll(async () => {
    const world = await loadWorld(fixture);
    server = await startKubeReplayServer(world.kubernetes, { token: 'replay-token' });
    dir = mkdtempSync(join(tmpdir(), 'medic-kube-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, server.kubeconfigYaml);
    reader = createClusterReader({ kubeconfig: path });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the Deployment with its limits and status, times as the API writes them', async () => {
    const deployment = await reader.get({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    const spec = deployment?.spec as { template: { spec: { containers: Array<{ resources?: unknown }> } } };
    expect(spec.template.spec.containers[0]?.resources).toEqual({
      requests: { cpu: '250m', memory: '384Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(deployment?.metadata.creationTimestamp).toBe('2025-11-04T13:22:08Z');
    expect(deployment?.status?.['conditions']).toHaveLength(2);
  });

  it('orders the ReplicaSets by revision', async () => {
    const sets = await reader.replicaSets('shop', 'app=checkout');
    expect(sets.map((s) => s.metadata.name)).toEqual(['checkout-7d9f8b6c5', 'checkout-5b8c9d7f4']);
  });

  it('shows three OOMKilled pods and their BackOff events', async () => {
    const pods = await reader.pods('shop', 'app=checkout,pod-template-hash=7d9f8b6c5');
    expect(pods).toHaveLength(3);
    const last = pods.map(
      (p) => (p.status?.['containerStatuses'] as ContainerStatus[] | undefined)?.[0]?.lastState,
    );
    expect(last.every((s) => s?.terminated?.reason === 'OOMKilled' && s.terminated.exitCode === 137)).toBe(
      true,
    );
    const events = await reader.events('shop', 'checkout-7d9f8b6c5-bcdfg');
    expect(events.map((e) => e['reason'])).toEqual(['Pulled', 'BackOff']);
    const nodeEvents = await reader.events('default');
    expect(nodeEvents.every((e) => e['reason'] === 'OOMKilling')).toBe(true);
    expect(await reader.horizontalPodAutoscalers('shop')).toHaveLength(1);
    expect(await reader.nodes()).toHaveLength(2);
  });

  it('maps a wrong token to an unauthorized MedicError', async () => {
    const wrong = server.kubeconfigYaml.replace('replay-token', 'nope');
    const error = await createClusterReader({ kubeconfigYaml: wrong })
      .nodes()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect(error).toMatchObject({ code: ErrorCodes.unauthorized, details: { status: 401 } });
  });
});

describe('KubernetesClusterReader failures', () => {
  it('reports an unreachable API server as a MedicError', async () => {
    const server = await startKubeReplayServer([]);
    const kubeconfigYaml = server.kubeconfigYaml;
    await server.close();
    const error = await createClusterReader({ kubeconfigYaml })
      .pods('shop')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect((error as MedicError).code).toBe(ErrorCodes.internal);
    expect((error as MedicError).message).toMatch(/^kubernetes: list Pods in shop: /);
  });

  it('rejects an unusable kubeconfig as a config error', () => {
    expect(() => createClusterReader({ kubeconfigYaml: 'apiVersion: v1\nkind: Config\n' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.config }),
    );
    expect(() => createClusterReader({ kubeconfig: '/nonexistent/kubeconfig' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.config }),
    );
  });
});
