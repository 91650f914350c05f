import type { KubeObject } from '../domain/evidence/telemetry.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface ObjectRef {
  kind: WorkloadKind | 'HorizontalPodAutoscaler' | 'Pod' | 'Node';
  namespace?: string;
  name: string;
}

/** The read side of a cluster. The playbook runner adds patch, dry-run and delete in a port of its own. */
export interface ClusterReader {
  get(ref: ObjectRef): Promise<KubeObject | null>;
  /** ReplicaSets owned by a Deployment, newest revision first. */
  replicaSets(namespace: string, labelSelector: string): Promise<KubeObject[]>;
  pods(namespace: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Events in a namespace, optionally about one object. */
  events(namespace: string, involvedObjectName?: string): Promise<KubeObject[]>;
  horizontalPodAutoscalers(namespace: string): Promise<KubeObject[]>;
  nodes(): Promise<KubeObject[]>;
  /** The Namespace object (its labels can protect everything inside it); null when it does not exist. */
  namespace(name: string): Promise<KubeObject | null>;
  /** LimitRanges and ResourceQuotas of a namespace, which bound what set-resources may ask for. */
  namespaceLimits(namespace: string): Promise<{ limitRanges: KubeObject[]; resourceQuotas: KubeObject[] }>;
}
