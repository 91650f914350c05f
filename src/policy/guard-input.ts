import type { Draft } from '../domain/draft.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { Playbook } from '../domain/playbook.js';
import type { Policy } from './policy-schema.js';

/** What the guard needs to judge one draft; gathered by the pipeline, judged here without I/O. */
export interface GuardInput {
  policy: Policy;
  playbook: Playbook;
  draft: Draft;
  incident: { id: string; cluster: string; namespace: string | null; correlationKey: string };
  /** The live target object; null for escalate/none or when it was not found. */
  target: KubeObject | null;
  /** The target's Namespace object, for the protected label. */
  targetNamespace: KubeObject | null;
  limitRanges: KubeObject[];
  resourceQuotas: KubeObject[];
  /** Every node in the cluster, for cordon-node. */
  nodes: KubeObject[];
  /** The target Deployment's ReplicaSets, for rollback age. */
  replicaSets: KubeObject[];
  recent: { workloadLastHour: number; clusterLastHour: number; deletePodsThisIncident: number };
  /** Dry-run refusals, each the API server's message; any one denies. */
  dryRunProblems: string[];
  /** The dry-run diff was empty: the change would do nothing. */
  noop: boolean;
  now: Date;
}

/** One rule: the reasons it denies the draft, empty when it has nothing against it. */
export type GuardRule = (input: GuardInput) => string[];
