import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, it } from 'vitest';
import { stringify } from 'yaml';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  startControlPlane,
} from '../support/control-plane.js';
import { type ClusterHandle, clusterReaderContract, contractNamespace } from './cluster-reader-contract.js';
import { loadIntoCluster } from './load-objects.js';

/**
 * The contract against a real control plane: a throwaway etcd + kube-apiserver (envtest-style, built
 * by scripts/build-kube.sh), or the bare API server an admin kubeconfig in MEDIC_TEST_KUBECONFIG points
 * at (no scheduler or controller-manager: controllers would add ReplicaSets and events of their own). The harness creates the contract's
 * objects (409 AlreadyExists is fine, so a rerun reuses them; nothing is deleted, because without a
 * namespace controller a deleted namespace stays Terminating), a ServiceAccount that RBAC lets read
 * only `contractNamespace` and nodes, and hands the reader a kubeconfig with that account's token.
 */
const adminKubeconfig = process.env['MEDIC_TEST_KUBECONFIG'];
let plane: ControlPlane | undefined;

/** MEDIC_TEST_KUBECONFIG when set; otherwise a throwaway etcd + kube-apiserver from scripts/build-kube.sh. */
async function adminKubeconfigYaml(): Promise<string> {
  if (adminKubeconfig) return readFileSync(adminKubeconfig, 'utf8');
  plane ??= await startControlPlane();
  return plane.kubeconfigYaml;
}

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

if (adminKubeconfig || controlPlaneAvailable()) {
  afterAll(async () => {
    await plane?.stop();
  });
  clusterReaderContract('real control plane through @kubernetes/client-node', {
    preservesStatus: true,
    async start(objects): Promise<ClusterHandle> {
      const kc = new KubeConfig();
      kc.loadFromString(await adminKubeconfigYaml());
      await loadIntoCluster(kc, [...rbacObjects(), ...objects]);
      const reader = createClusterReader({ kubeconfigYaml: await restrictedKubeconfig(kc) });
      return { reader, close: async () => {} };
    },
  });
} else {
  // Only on a machine where scripts/build-kube.sh has not run (CI runs it): the skip names the reason.
  describe.skipIf(true)(
    `ClusterReader contract: real control plane (${controlPlaneSkipReason()}; or set MEDIC_TEST_KUBECONFIG)`,
    () => {
      it('needs a control plane', () => {});
    },
  );
}
