import { createClusterWriter } from '../adapters/kubernetes/writer.js';
import type { MedicConfig } from '../config/schema.js';
import type { PlaybookCatalog } from '../domain/playbook.js';
import { loadPolicy } from '../policy/load-policy.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import { defaultPlaybookDir, loadCatalog } from '../runner/catalog.js';

/** What guard, approvals and the runner share: the playbooks, the policy and the cluster's write side. */
export interface ActionSetup {
  catalog: PlaybookCatalog;
  policy: Policy;
  /** Null when no cluster is configured: guard then denies every acting draft (dry-run impossible). */
  writer: ClusterWriter | null;
}

export async function openActions(
  config: MedicConfig,
  clusterConfigured: boolean,
  writerOverride?: ClusterWriter,
): Promise<ActionSetup> {
  const [catalog, policy] = await Promise.all([
    loadCatalog(config.playbooks.dir ?? defaultPlaybookDir()),
    loadPolicy({
      ...(config.policy.file ? { file: config.policy.file } : {}),
      ownNamespace: config.policy.ownNamespace,
    }),
  ]);
  const kubeconfig = config.kubernetes.kubeconfig;
  const writer =
    writerOverride ?? (clusterConfigured ? createClusterWriter(kubeconfig ? { kubeconfig } : {}) : null);
  return { catalog, policy, writer };
}
