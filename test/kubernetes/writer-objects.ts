import type { KubeObject } from '../../src/domain/evidence/telemetry.js';

/** Where the writer contract's objects live. */
export const writerNamespace = 'medic-writer';
export const writerNode = 'medic-writer-node';

const ns = writerNamespace;
const image = 'registry.k8s.io/pause:3.10';

/** A Deployment that reports a finished rollout of generation 1 (a real controller recomputes it). */
function deployment(name: string, containers: unknown[]): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels, generation: 1 },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels }, spec: { containers } },
    },
    status: {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    },
  };
}

export function writerObjects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: writerNode, labels: { 'kubernetes.io/hostname': writerNode } },
    },
    deployment('web', [
      {
        name: 'app',
        image,
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
      },
      { name: 'sidecar', image, resources: { requests: { cpu: '50m', memory: '32Mi' } } },
    ]),
    deployment('api', [{ name: 'api', image, resources: { requests: { cpu: '50m' } } }]),
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      },
    },
    // Unbound (no nodeName), so a real API server deletes it at once instead of waiting for a kubelet.
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'standalone', namespace: ns, labels: { app: 'standalone' } },
      spec: { containers: [{ name: 'app', image }] },
    },
  ];
}
