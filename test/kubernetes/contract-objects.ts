import type { KubeObject } from '../../src/domain/evidence/telemetry.js';

/** Where the contract's objects live; a real control plane creates both namespaces. */
export const contractNamespace = 'medic-contract';
export const forbiddenNamespace = 'medic-contract-forbidden';

const ns = contractNamespace;
const container = (name = 'app') => ({
  name,
  image: 'registry.k8s.io/pause:3.10',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
});

function replicaSet(hash: string, revision: number): KubeObject {
  const labels = { app: 'web', 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: ns,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container()] } },
    },
  };
}

function pod(name: string, labels: Record<string, string>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [container()] },
    ...(status ? { status } : {}),
  };
}

function event(
  name: string,
  about: string,
  reason: string,
  type: string,
  first: string,
  last: string,
  count: number,
) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: about },
    reason,
    type,
    message: `${reason} ${about}`,
    source: { component: 'kubelet', host: 'contract-node-a' },
    firstTimestamp: first,
    lastTimestamp: last,
    count,
  } satisfies KubeObject;
}

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'medic.test/contract': 'true' } },
  spec: { unschedulable: false },
});

/** A small world every backend can hold: valid for a real API server, in creation order. */
export function contractObjects(): KubeObject[] {
  const webLabels = { app: 'web' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: forbiddenNamespace } },
    node('contract-node-a'),
    node('contract-node-b'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      // A real API server replaces this with the time of creation.
      metadata: { name: 'web', namespace: ns, labels: webLabels, creationTimestamp: '2026-02-27T16:40:31Z' },
      spec: {
        replicas: 2,
        selector: { matchLabels: webLabels },
        template: { metadata: { labels: webLabels }, spec: { containers: [container()] } },
      },
      status: {
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        updatedReplicas: 2,
      },
    },
    // Out of order on purpose, and "10" sorts before "9" as text.
    replicaSet('5a6b7c8d9', 9),
    replicaSet('4f5a6b7c8', 2),
    replicaSet('6b7c8d9f5', 10),
    pod(
      'web-6b7c8d9f5-a1b2c',
      { app: 'web', 'pod-template-hash': '6b7c8d9f5' },
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            image: 'registry.k8s.io/pause:3.10',
            imageID: '',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                startedAt: '2026-03-01T09:56:02Z',
                finishedAt: '2026-03-01T10:01:20Z',
              },
            },
          },
        ],
      },
    ),
    pod('web-6b7c8d9f5-d3e4f', { app: 'web', 'pod-template-hash': '6b7c8d9f5' }),
    pod('web-5a6b7c8d9-z9y8x', { app: 'web', 'pod-template-hash': '5a6b7c8d9', canary: 'true' }),
    pod('db-0', { app: 'db' }),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns, labels: { app: 'db' } },
      spec: {
        serviceName: 'db',
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container()] } },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns, labels: { app: 'agent' } },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container('agent')] } },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
    event(
      'web-d3e4f.killing',
      'web-6b7c8d9f5-d3e4f',
      'Killing',
      'Normal',
      '2026-03-01T10:03:00Z',
      '2026-03-01T10:03:00Z',
      1,
    ),
    event(
      'web-a1b2c.backoff',
      'web-6b7c8d9f5-a1b2c',
      'BackOff',
      'Warning',
      '2026-03-01T09:50:00Z',
      '2026-03-01T10:02:00Z',
      4,
    ),
    event(
      'web-a1b2c.scheduled',
      'web-6b7c8d9f5-a1b2c',
      'Scheduled',
      'Normal',
      '2026-03-01T09:00:00Z',
      '2026-03-01T09:00:00Z',
      1,
    ),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'secret-web', namespace: forbiddenNamespace, labels: { app: 'secret-web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'secret-web' } },
        template: { metadata: { labels: { app: 'secret-web' } }, spec: { containers: [container()] } },
      },
    },
  ];
}
