import { join } from 'node:path';
import { loadWorld } from '../../src/adapters/replay/world.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  createFakeNode,
  markPodsReady,
  startControlPlane,
} from '../support/control-plane.js';
import { startCountingProxy } from './execute-proxy.js';
import { IMAGE, playbooksE2EContract } from './playbooks-e2e-contract.js';

const WORLD = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'oom-checkout');
const DEPLOYMENT_PATH = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments/checkout`;

async function ensure(what: string, answer: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`${what}: HTTP ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The world's object moved to `namespace`, without what the API server or controllers own. */
function seedOf(object: KubeObject, namespace: string): KubeObject {
  const { labels, annotations = {} } = object.metadata;
  const { 'deployment.kubernetes.io/revision': _revision, ...kept } = annotations;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name: object.metadata.name, namespace, ...(labels ? { labels } : {}), annotations: kept },
    spec: structuredClone(object.spec),
  } as KubeObject;
}

/** Marks new pods ready (no kubelet runs) until the controllers report checkout rolled out. */
async function rolledOut(plane: ControlPlane, namespace: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    await markPodsReady(plane, namespace);
    const got = await plane.request('GET', DEPLOYMENT_PATH(namespace));
    if (got.status === 200 && rolloutStatus(got.body as KubeObject).done) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the seed rollout of checkout in ${namespace} did not finish`);
}

const withImage = (deployment: KubeObject, image: string): KubeObject => {
  const copy = structuredClone(deployment);
  const template = copy.spec?.['template'] as { spec: { containers: Array<{ image: string }> } };
  for (const container of template.spec.containers) container.image = image;
  return copy;
};

let counter = 0;

playbooksE2EContract(
  'real control plane',
  async () => {
    const objects = (await loadWorld(WORLD)).kubernetes;
    const find = (kind: string) => {
      const found = objects.find((o) => o.kind === kind);
      if (!found) throw new Error(`the oom-checkout world has no ${kind}`);
      return found;
    };
    const plane = await startControlPlane({
      withControllers: true,
      controllers: ['deployment-controller', 'replicaset-controller'],
    });
    return {
      prepare: async () => {
        counter += 1;
        const namespace = `e2e-${counter}-${Date.now().toString(36)}`;
        await ensure(
          'create namespace',
          plane.request('POST', '/api/v1/namespaces', {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: namespace },
          }),
        );
        // Revision 1 runs 1.14.1, revision 2 (live) 1.14.2: the history the rollback playbook needs.
        const deployment = seedOf(find('Deployment'), namespace);
        await ensure(
          'create deployment',
          plane.request(
            'POST',
            `/apis/apps/v1/namespaces/${namespace}/deployments`,
            withImage(deployment, `${IMAGE}:1.14.1`),
          ),
        );
        await rolledOut(plane, namespace);
        const release = { spec: withImage(deployment, `${IMAGE}:1.14.2`).spec };
        await ensure(
          'roll out 1.14.2',
          plane.request('PATCH', DEPLOYMENT_PATH(namespace), release, 'application/merge-patch+json'),
        );
        await rolledOut(plane, namespace);
        await ensure(
          'create hpa',
          plane.request(
            'POST',
            `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
            seedOf(find('HorizontalPodAutoscaler'), namespace),
          ),
        );
        const node = `e2e-node-${namespace}`;
        await createFakeNode(plane, node);
        const pods = (await ensure(
          'list pods',
          plane.request('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dcheckout`),
        )) as { items: KubeObject[] };
        const pod = pods.items.find((p) => !p.metadata['deletionTimestamp'])?.metadata.name;
        if (!pod) throw new Error(`no pod of checkout in ${namespace}`);

        const proxy = await startCountingProxy(plane.url, plane.caPem, plane.token);
        return {
          kubeconfigYaml: proxy.kubeconfigYaml,
          namespace,
          node,
          pod,
          requests: () => proxy.requests,
          tick: async () => {
            await markPodsReady(plane, namespace);
            // Real controllers run on their own time: give them a moment between two polls.
            await new Promise((resolve) => setTimeout(resolve, 50));
          },
          close: () => proxy.close(),
        };
      },
      close: () => plane.stop(),
    };
  },
  {
    // Without the binaries (scripts/build-kube.sh not run) there is no control plane to run against.
    skipReason: controlPlaneAvailable() ? null : controlPlaneSkipReason(),
    // Controllers may finish before the first poll; the wait itself is shown by the rollout line.
    rolloutPolls: 1,
  },
);
