import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import type { ClusterWriter } from '../../src/ports/cluster-writer.js';
import { clusterWriterContract, writerNamespace, writerObjects } from './writer-contract.js';

clusterWriterContract('replay server through @kubernetes/client-node', {
  rbac: false,
  async start(objects) {
    const server = await startKubeReplayServer(objects, { writable: true });
    const config = { kubeconfigYaml: server.kubeconfigYaml };
    return {
      writer: createClusterWriter(config),
      reader: createClusterReader(config),
      readOnlyWriter: null,
      settle: async () => {},
      close: server.close,
    };
  },
});

const ns = writerNamespace;
const api = { kind: 'Deployment', namespace: ns, name: 'api' } as const;
const apply = { dryRun: false, fieldManager: 'medic-test' };

describe('replay server rollouts and pods', () => {
  let server: KubeReplayServer;
  let writer: ClusterWriter;
  let reader: ClusterReader;

  beforeAll(async () => {
    const objects = writerObjects();
    // One pod of api's current ReplicaSet, to see a controller-owned pod come back after a delete.
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'api-5b8c9d7f4',
        namespace: ns,
        labels: { app: 'api', 'pod-template-hash': '5b8c9d7f4' },
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'api', 'pod-template-hash': '5b8c9d7f4' } },
        template: {
          metadata: { labels: { app: 'api', 'pod-template-hash': '5b8c9d7f4' } },
          spec: { containers: [{ name: 'api', image: 'registry.k8s.io/pause:3.10' }] },
        },
      },
    };
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'api-5b8c9d7f4-abcde',
        namespace: ns,
        labels: { app: 'api', 'pod-template-hash': '5b8c9d7f4' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'api-5b8c9d7f4', controller: true }],
      },
      spec: { containers: [{ name: 'api', image: 'registry.k8s.io/pause:3.10' }] },
    };
    server = await startKubeReplayServer([...objects, rs, pod], { writable: true, rolloutReads: 2 });
    writer = createClusterWriter({ kubeconfigYaml: server.kubeconfigYaml });
    reader = createClusterReader({ kubeconfigYaml: server.kubeconfigYaml });
  });
  afterAll(async () => {
    await server.close();
  });

  it('recreates a deleted controller-owned pod under a new name', async () => {
    await writer.delete({ kind: 'Pod', namespace: ns, name: 'api-5b8c9d7f4-abcde' }, apply);
    const pods = await reader.pods(ns, 'app=api');
    expect(pods).toHaveLength(1);
    expect(pods[0]?.metadata.name).toMatch(/^api-5b8c9d7f4-[a-z0-9]{5}$/);
    expect(pods[0]?.metadata.name).not.toBe('api-5b8c9d7f4-abcde');
  });

  it('makes rollout status wait for the configured reads, then finish', async () => {
    const patch = { spec: { template: { metadata: { annotations: { 'medic.dev/restartedAt': 'now' } } } } };
    const patched = await writer.patch(api, 'strategic-merge', patch, apply);
    expect(patched.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(rolloutStatus(patched)).toMatchObject({ done: false, failed: false });
    const first = await reader.get(api);
    expect(rolloutStatus(first as KubeObject).done).toBe(false);
    const second = await reader.get(api);
    expect(rolloutStatus(second as KubeObject)).toEqual({
      done: true,
      failed: false,
      message: 'deployment "api" successfully rolled out',
    });
    const pods = await reader.pods(ns, 'app=api');
    const [newest] = await reader.replicaSets(ns, 'app=api');
    const hash = newest?.metadata.labels?.['pod-template-hash'];
    expect(hash).not.toBe('5b8c9d7f4');
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === hash)).toBe(true);
  });

  it('answers writes with 405 when the server is read-only', async () => {
    const readOnly = await startKubeReplayServer(writerObjects());
    try {
      const response = await fetch(`${readOnly.url}/apis/apps/v1/namespaces/${ns}/deployments/web`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas: 1 } }),
      });
      expect(response.status).toBe(405);
    } finally {
      await readOnly.close();
    }
  });
});

describe('KubernetesClusterWriter failures', () => {
  it('reports an unreachable API server as unavailable', async () => {
    const server = await startKubeReplayServer([], { writable: true });
    const kubeconfigYaml = server.kubeconfigYaml;
    await server.close();
    const error = await createClusterWriter({ kubeconfigYaml })
      .patch({ kind: 'Deployment', namespace: ns, name: 'web' }, 'merge', { spec: { replicas: 1 } }, apply)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect(error).toMatchObject({ code: ErrorCodes.clusterUnavailable });
    expect((error as MedicError).message).toMatch(/^kubernetes: merge patch Deployment medic-writer\/web: /);
  });

  it('maps a wrong token to forbidden and refuses kinds it does not write', async () => {
    const server = await startKubeReplayServer(writerObjects(), { writable: true, token: 'right' });
    try {
      const wrong = server.kubeconfigYaml.replace('right', 'wrong');
      const denied = await createClusterWriter({ kubeconfigYaml: wrong })
        .delete({ kind: 'Pod', namespace: ns, name: 'standalone' }, apply)
        .catch((e: unknown) => e);
      expect(denied).toMatchObject({ code: ErrorCodes.clusterForbidden, details: { status: 401 } });
      const writer = createClusterWriter({ kubeconfigYaml: server.kubeconfigYaml });
      const refused = await writer
        .delete({ kind: 'Deployment', namespace: ns, name: 'web' }, apply)
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: ErrorCodes.clusterInvalid });
      expect(server.requests.some((r) => r.startsWith('DELETE /apis/apps'))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
