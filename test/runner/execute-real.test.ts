import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  startControlPlane,
} from '../support/control-plane.js';
import { executeContract } from './execute-contract.js';
import { DEPLOYMENT } from './execute-fixtures.js';
import { startCountingProxy } from './execute-proxy.js';

const pluralOf: Record<string, string> = { Namespace: 'namespaces', Deployment: 'deployments' };

function pathOf(object: KubeObject): string {
  const base = object.apiVersion === 'v1' ? '/api/v1' : `/apis/${object.apiVersion}`;
  const plural = pluralOf[String(object.kind)];
  if (!plural) throw new Error(`no path for ${String(object.kind)}`);
  return object.metadata.namespace === undefined
    ? `${base}/${plural}`
    : `${base}/namespaces/${object.metadata.namespace}/${plural}`;
}

interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

/**
 * No kubelet runs, so pods never start: this does its part, marking every pod of the namespace
 * Running and Ready so the ReplicaSet and Deployment controllers can finish a rollout.
 */
async function podsBecomeReady(plane: ControlPlane, namespace: string): Promise<void> {
  const list = await plane.request('GET', `/api/v1/namespaces/${namespace}/pods`);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const pod of (list.body as PodList).items) {
    if (pod.metadata.deletionTimestamp) continue;
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const ready = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
    await plane.request(
      'PATCH',
      `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/status`,
      {
        status: {
          phase: 'Running',
          conditions: [ready('PodScheduled'), ready('ContainersReady'), ready('Ready')],
        },
      },
      'application/merge-patch+json',
    );
  }
}

async function rolledOut(plane: ControlPlane, namespace: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await podsBecomeReady(plane, namespace);
    const got = await plane.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${DEPLOYMENT}`);
    if (got.status === 200 && rolloutStatus(got.body as KubeObject).done) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the seed rollout in ${namespace} did not finish`);
}

executeContract(
  'real control plane',
  async () => {
    const plane = await startControlPlane({
      withControllers: true,
      controllers: ['deployment-controller', 'replicaset-controller'],
    });
    return {
      prepare: async (namespace, objects) => {
        for (const { status: _status, ...object } of objects) {
          const { generation: _generation, ...metadata } = object.metadata;
          const created = await plane.request('POST', pathOf(object), { ...object, metadata });
          if (created.status >= 300)
            throw new Error(`create ${String(object.kind)}: ${JSON.stringify(created.body)}`);
        }
        await rolledOut(plane, namespace);
        const proxy = await startCountingProxy(plane.url, plane.caPem, plane.token);
        return {
          kubeconfigYaml: proxy.kubeconfigYaml,
          requests: () => proxy.requests,
          tick: async () => {
            await podsBecomeReady(plane, namespace);
            // Real controllers run on their own time: give them a moment between two polls.
            await new Promise((resolve) => setTimeout(resolve, 50));
          },
          close: () => proxy.close(),
        };
      },
      close: () => plane.stop(),
    };
  },
  // Without the binaries there is no control plane to run against.
  controlPlaneAvailable() ? null : controlPlaneSkipReason(),
);
