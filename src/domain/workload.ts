export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'Pod' | 'Node';

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  /** True when the kind was guessed from a pod name rather than read from a label. */
  inferred: boolean;
}

/** Which alert labels name a workload, most specific first. */
export interface WorkloadLabelSets {
  deployment: string[];
  statefulset: string[];
  daemonset: string[];
  job: string[];
  pod: string[];
  node: string[];
}

export const defaultWorkloadLabelSets: WorkloadLabelSets = {
  deployment: ['deployment'],
  statefulset: ['statefulset'],
  daemonset: ['daemonset'],
  // Prometheus's own `job` label is the scrape job, so Kubernetes Jobs come from kube-state-metrics' job_name.
  job: ['job_name'],
  pod: ['pod'],
  node: ['node'],
};

// Kubernetes generates name suffixes from this alphabet (no vowels, no 0/1/3), which keeps
// "api-v2" or "redis-cache" from being mistaken for a hash.
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const deploymentPod = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const statefulSetPod = /^(.+)-(0|[1-9][0-9]{0,4})$/;
const cronJobPod = new RegExp(`^(.+)-[0-9]{8,10}-${SAFE}{5}$`);
const generatedPod = new RegExp(`^(.+)-${SAFE}{5}$`);

/** Maps a pod name to the workload that owns it by stripping generated suffixes. */
export function workloadFromPodName(pod: string): WorkloadRef {
  const cron = cronJobPod.exec(pod);
  if (cron?.[1]) return { kind: 'Job', name: cron[1], inferred: true };
  const deployment = deploymentPod.exec(pod);
  if (deployment?.[1]) return { kind: 'Deployment', name: deployment[1], inferred: true };
  const statefulSet = statefulSetPod.exec(pod);
  if (statefulSet?.[1]) return { kind: 'StatefulSet', name: statefulSet[1], inferred: true };
  const generated = generatedPod.exec(pod);
  // A single generated suffix is a DaemonSet, a bare ReplicaSet or a Job pod; DaemonSet is the common case.
  if (generated?.[1]) return { kind: 'DaemonSet', name: generated[1], inferred: true };
  return { kind: 'Pod', name: pod, inferred: false };
}

function firstLabel(labels: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value.length > 0) return value;
  }
  return undefined;
}

export function workloadFromLabels(
  labels: Readonly<Record<string, string>>,
  sets: WorkloadLabelSets = defaultWorkloadLabelSets,
): WorkloadRef | null {
  const explicit: Array<[WorkloadKind, string[]]> = [
    ['Deployment', sets.deployment],
    ['StatefulSet', sets.statefulset],
    ['DaemonSet', sets.daemonset],
    ['Job', sets.job],
  ];
  for (const [kind, names] of explicit) {
    const name = firstLabel(labels, names);
    if (name) return { kind, name, inferred: false };
  }
  const pod = firstLabel(labels, sets.pod);
  if (pod) return workloadFromPodName(pod);
  const node = firstLabel(labels, sets.node);
  if (node) return { kind: 'Node', name: node, inferred: false };
  return null;
}
