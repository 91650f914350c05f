// The API servers bench:execute runs against: the replay server, and the real control plane when built.

import { startKubeReplayServer } from '../src/adapters/replay/kube-server.js';
import type { KubeObject } from '../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../src/domain/rollout.js';
import { markPodsReady, startControlPlane } from '../test/support/control-plane.js';

export interface BenchCluster {
  name: string;
  kubeconfigYaml: string;
  /** One PATCH of the Deployment over plain HTTP(S), no Kubernetes client: the floor. */
  rawPatch(path: string, contentType: string, body: unknown): Promise<void>;
  /** What the kubelet would do between two rollout polls (pods become ready); nothing for the replay server. */
  tick(): Promise<void>;
  /** Waits until the Deployment's rollout is finished, so the next measurement starts from rest. */
  settle(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function replayCluster(objects: KubeObject[]): Promise<BenchCluster> {
  // Two reads of the Deployment pass before its rollout finishes, so the runner really polls.
  const server = await startKubeReplayServer(objects, { writable: true, rolloutReads: 2 });
  return {
    name: 'replay server',
    kubeconfigYaml: server.kubeconfigYaml,
    rawPatch: async (path, contentType, body) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'PATCH',
        headers: { 'content-type': contentType, accept: 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`raw PATCH ${path}: HTTP ${res.status}`);
    },
    tick: async () => {},
    settle: async (path) => {
      for (let i = 0; i < 10; i++) await (await fetch(`${server.url}${path}`)).arrayBuffer();
    },
    close: () => server.close(),
  };
}

/** The object as a client would create it: no server-owned metadata, no status. */
function creatable(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const metadata = object.metadata as Record<string, unknown>;
  const annotations = { ...((metadata['annotations'] as Record<string, string> | undefined) ?? {}) };
  delete annotations['deployment.kubernetes.io/revision'];
  return {
    ...rest,
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      labels: metadata['labels'] ?? {},
      annotations,
    },
  } as KubeObject;
}

/** etcd + kube-apiserver + the Deployment and ReplicaSet controllers, holding the namespace and `deployment`. */
export async function controlPlaneCluster(deployment: KubeObject): Promise<BenchCluster> {
  const plane = await startControlPlane({
    withControllers: true,
    controllers: ['deployment-controller', 'replicaset-controller'],
  });
  const namespace = String(deployment.metadata.namespace);
  const ok = (what: string, res: { status: number; body: unknown }) => {
    if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  };
  try {
    ok(
      'create namespace',
      await plane.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      }),
    );
    ok(
      'create deployment',
      await plane.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, creatable(deployment)),
    );
  } catch (error) {
    await plane.stop();
    throw error;
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  const cluster: BenchCluster = {
    name: 'control plane',
    kubeconfigYaml: plane.kubeconfigYaml,
    rawPatch: async (path, contentType, body) => {
      ok(`raw PATCH ${path}`, await plane.request('PATCH', path, body, contentType));
    },
    tick: async () => {
      await markPodsReady(plane, namespace);
      // Real controllers run on their own time: give them a moment between two polls.
      await pause();
    },
    settle: async (path) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await markPodsReady(plane, namespace);
        const got = await plane.request('GET', path);
        if (got.status === 200 && rolloutStatus(got.body as KubeObject).done) return;
        await pause();
      }
      throw new Error(`the rollout of ${path} did not finish within 60 s`);
    },
    close: () => plane.stop(),
  };
  return cluster;
}
