import { readFileSync } from 'node:fs';
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, it } from 'vitest';
import { stringify } from 'yaml';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { type ClusterHandle, clusterReaderContract, contractNamespace } from './cluster-reader-contract.js';

/**
 * The contract against a real control plane. Set MEDIC_TEST_KUBECONFIG to an admin kubeconfig for a
 * bare API server (kube-apiserver + etcd, no scheduler or controller-manager, as envtest runs it):
 * controllers would add ReplicaSets and events of their own. The harness creates the contract's
 * objects (409 AlreadyExists is fine, so a rerun reuses them; nothing is deleted, because without a
 * namespace controller a deleted namespace stays Terminating), a ServiceAccount that RBAC lets read
 * only `contractNamespace` and nodes, and hands the reader a kubeconfig with that account's token.
 */
const adminKubeconfig = process.env['MEDIC_TEST_KUBECONFIG'];

const serviceAccount = 'medic-contract-reader';
const readRules = [
  { apiGroups: [''], resources: ['pods', 'events'], verbs: ['get', 'list'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    verbs: ['get', 'list'],
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list'] },
];
const subject = [{ kind: 'ServiceAccount', name: serviceAccount, namespace: contractNamespace }];

function rbacObjects(): KubeObject[] {
  const rbac = 'rbac.authorization.k8s.io/v1';
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace: contractNamespace },
    },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'medic-contract-read' }, rules: readRules },
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name: 'medic-contract-nodes' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: 'medic-contract-read', namespace: contractNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'medic-contract-read' },
      subjects: subject,
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'medic-contract-nodes' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'medic-contract-nodes' },
      subjects: subject,
    },
  ];
}

async function createAll(kc: KubeConfig, objects: readonly KubeObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    const { status: _status, ...spec } = object;
    try {
      await client.create(spec as unknown as Parameters<typeof client.create>[0]);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  }
}

/** A kubeconfig for the same cluster that authenticates as the contract's ServiceAccount. */
async function restrictedKubeconfig(kc: KubeConfig): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace: contractNamespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster();
  if (!cluster || !request.status?.token) throw new Error('no cluster or token');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'contract',
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: 'contract', user: { token: request.status.token } }],
    contexts: [{ name: 'contract', context: { cluster: 'contract', user: 'contract' } }],
    'current-context': 'contract',
  });
}

if (adminKubeconfig) {
  clusterReaderContract('real control plane through @kubernetes/client-node', {
    preservesStatus: false,
    async start(objects): Promise<ClusterHandle> {
      const kc = new KubeConfig();
      kc.loadFromString(readFileSync(adminKubeconfig, 'utf8'));
      const [namespaces, rest] = [
        objects.filter((o) => o.kind === 'Namespace'),
        objects.filter((o) => o.kind !== 'Namespace'),
      ];
      await createAll(kc, [...namespaces, ...rbacObjects(), ...rest]);
      const reader = createClusterReader({ kubeconfigYaml: await restrictedKubeconfig(kc) });
      return { reader, close: async () => {} };
    },
  });
} else {
  describe.skip('ClusterReader contract: real control plane (set MEDIC_TEST_KUBECONFIG)', () => {
    it('needs an admin kubeconfig', () => {});
  });
}
