import type { Draft } from '../../src/domain/draft.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Playbook, Risk } from '../../src/domain/playbook.js';
import type { GuardInput } from '../../src/policy/guard-input.js';
import { defaultPolicy, type Policy } from '../../src/policy/policy-schema.js';

export const NOW = new Date('2026-03-04T10:00:00Z'); // a Wednesday

const kinds: Record<string, { risk: Risk; targetKinds: string[] }> = {
  'rollout-restart': { risk: 'low', targetKinds: ['Deployment', 'StatefulSet', 'DaemonSet'] },
  scale: { risk: 'medium', targetKinds: ['Deployment', 'StatefulSet'] },
  'set-resources': { risk: 'medium', targetKinds: ['Deployment', 'StatefulSet', 'DaemonSet'] },
  rollback: { risk: 'high', targetKinds: ['Deployment'] },
  'set-hpa-bounds': { risk: 'medium', targetKinds: ['HorizontalPodAutoscaler'] },
  'delete-pod': { risk: 'low', targetKinds: ['Pod'] },
  'cordon-node': { risk: 'high', targetKinds: ['Node'] },
  escalate: { risk: 'low', targetKinds: [] },
  none: { risk: 'low', targetKinds: [] },
};

export function playbook(id: string, risk?: Risk): Playbook {
  const known = kinds[id];
  if (!known) throw new Error(`no fixture playbook ${id}`);
  return {
    id,
    description: id,
    risk: risk ?? known.risk,
    targetKinds: known.targetKinds,
    paramsSchema: {},
    preconditions: [],
    steps: [],
    wait: null,
    verify: [],
    rollback: 'restore',
    source: `playbooks/${id}.yaml`,
  };
}

export function deployment(
  options: { name?: string; namespace?: string; replicas?: number; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: options.name ?? 'checkout',
      namespace: options.namespace ?? 'shop',
      uid: 'd-1',
      labels: { app: 'checkout', ...options.labels },
      annotations: { 'deployment.kubernetes.io/revision': '5' },
      creationTimestamp: '2025-11-01T08:00:00Z',
      generation: 7,
    },
    spec: {
      replicas: options.replicas ?? 4,
      selector: { matchLabels: { app: 'checkout' } },
      template: {
        metadata: { labels: { app: 'checkout' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/shop/checkout:1.42.0',
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
            },
            { name: 'envoy', image: 'envoyproxy/envoy:v1.31.0', resources: { requests: { cpu: '100m' } } },
          ],
        },
      },
    },
    status: { replicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: 7 },
  };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels }, status: { phase: 'Active' } };
}

export function limitRange(max: { cpu?: string; memory?: string }, namespace = 'shop'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'container-limits', namespace },
    spec: {
      limits: [
        { type: 'Pod', max: { cpu: '64', memory: '256Gi' } },
        { type: 'Container', max, default: { cpu: '500m', memory: '512Mi' } },
      ],
    },
  };
}

export function resourceQuota(
  hard: Record<string, string>,
  used: Record<string, string>,
  namespace = 'shop',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'compute', namespace },
    spec: { hard },
    status: { hard, used },
  };
}

export function node(name: string, unschedulable = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: unschedulable ? { unschedulable: true, taints: [] } : {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function replicaSet(revision: number, created: string, owner = 'checkout'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner}-${revision}abc`,
      namespace: 'shop',
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      creationTimestamp: created,
      ownerReferences: [
        {
          kind: 'Deployment',
          name: owner,
          uid: owner === 'checkout' ? 'd-1' : `${owner}-uid`,
          controller: true,
        },
      ],
    },
    spec: { replicas: 0 },
  };
}

export function hpa(minReplicas: number, maxReplicas: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      minReplicas,
      maxReplicas,
    },
    status: { currentReplicas: maxReplicas, desiredReplicas: maxReplicas },
  };
}

export function pod(name = 'checkout-7d9f8-abcde'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'checkout-5abc', controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'checkout:1.42.0' }] },
    status: { phase: 'Running' },
  };
}

export function draft(
  playbookId: string,
  target: Draft['target'],
  params: Record<string, unknown> = {},
): Draft {
  return {
    diagnosis: 'checkout is OOMKilled as traffic grows',
    confidence: 0.8,
    playbook: playbookId,
    target,
    params,
    rationale: 'memory grows with load until the limit',
    evidence_refs: [],
    risk_notes: [],
  };
}

export const checkoutRef = { kind: 'Deployment', namespace: 'shop', name: 'checkout' } as const;

/** A guard input that passes every rule: scale checkout from 4 to 6 with the default policy. */
export function guardInput(overrides: Partial<GuardInput> = {}): GuardInput {
  return {
    policy: defaultPolicy('medic'),
    playbook: playbook('scale'),
    draft: draft('scale', { ...checkoutRef }, { replicas: 6 }),
    incident: { id: 'inc-1', cluster: 'prod-eu', namespace: 'shop', correlationKey: 'shop/checkout' },
    target: deployment(),
    targetNamespace: namespaceObject('shop'),
    limitRanges: [],
    resourceQuotas: [],
    nodes: [],
    replicaSets: [],
    recent: { workloadLastHour: 0, clusterLastHour: 0, deletePodsThisIncident: 0 },
    dryRunProblems: [],
    noop: false,
    now: NOW,
    ...overrides,
  };
}

export function withPolicy(change: (policy: Policy) => void): Policy {
  const policy = structuredClone(defaultPolicy('medic'));
  change(policy);
  return policy;
}
