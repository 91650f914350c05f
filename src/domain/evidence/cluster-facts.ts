import fastJsonPatch from 'fast-json-patch';
import type { KubeObject } from './telemetry.js';

// fast-json-patch is CommonJS; its functions hang off the default export under ESM.
const { compare } = fastJsonPatch;

export interface Rollout {
  replicaSet: string;
  revision: number;
  createdAt: string | null;
  ageMinutes: number | null;
  images: Record<string, string>;
  /** JSON Patch paths of the pod template that differ from the previous revision. */
  templateChanges: string[];
  replicas: number;
}

export interface ContainerRestart {
  pod: string;
  container: string;
  restarts: number;
  lastReason: string | null;
  lastExitCode: number | null;
  lastFinishedAt: string | null;
  waitingReason: string | null;
}

export interface WarningEvent {
  reason: string;
  object: string;
  message: string;
  count: number;
  lastSeen: string | null;
}

export interface NodeCondition {
  node: string;
  condition: string;
  status: string;
  reason: string | null;
  since: string | null;
}

export interface PendingPod {
  pod: string;
  reason: string | null;
  message: string | null;
}

export interface HpaAtMax {
  name: string;
  current: number;
  max: number;
}

/** One container of the workload's pod template: what it asks for and how it is probed. */
export interface ContainerSpec {
  name: string;
  requests: { cpu: string | null; memory: string | null };
  limits: { cpu: string | null; memory: string | null };
  liveness: ProbeSpec | null;
  readiness: ProbeSpec | null;
}

export interface ProbeSpec {
  initialDelaySeconds: number | null;
  timeoutSeconds: number | null;
  periodSeconds: number | null;
  failureThreshold: number | null;
}

export interface ClusterFacts {
  workload: {
    kind: string;
    name: string;
    paused: boolean;
    replicas: number | null;
    available: number | null;
    containers?: ContainerSpec[];
  } | null;
  rollouts: Rollout[];
  restarts: ContainerRestart[];
  warnings: WarningEvent[];
  hpasAtMax: HpaAtMax[];
  nodeConditions: NodeCondition[];
  pendingPods: PendingPod[];
}

export interface ClusterSnapshot {
  workload: KubeObject | null;
  replicaSets: KubeObject[];
  pods: KubeObject[];
  events: KubeObject[];
  hpas: KubeObject[];
  nodes: KubeObject[];
}

type Loose = Record<string, unknown>;
const obj = (value: unknown): Loose => (value && typeof value === 'object' ? (value as Loose) : {});
const arr = (value: unknown): Loose[] => (Array.isArray(value) ? (value as Loose[]) : []);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

export const MAX_EVENT_MESSAGE = 300;

export function revisionOf(object: KubeObject): number {
  return Number(object.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

function podTemplate(replicaSet: KubeObject): Loose {
  const template = structuredClone(obj(obj(replicaSet.spec)['template']));
  const labels = obj(obj(template['metadata'])['labels']);
  delete labels['pod-template-hash'];
  return template;
}

function images(template: Loose): Record<string, string> {
  const containers = arr(obj(template['spec'])['containers']);
  return Object.fromEntries(containers.map((c) => [String(c['name']), String(c['image'])]));
}

function rollouts(replicaSets: KubeObject[], now: number): Rollout[] {
  const sorted = [...replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a));
  return sorted.slice(0, 5).map((replicaSet, i) => {
    const previous = sorted[i + 1];
    const created = replicaSet.metadata.creationTimestamp ?? null;
    return {
      replicaSet: replicaSet.metadata.name,
      revision: revisionOf(replicaSet),
      createdAt: created,
      ageMinutes: created ? Math.round((now - Date.parse(created)) / 60_000) : null,
      images: images(podTemplate(replicaSet)),
      templateChanges: previous
        ? compare(podTemplate(previous), podTemplate(replicaSet)).map((op) => op.path)
        : [],
      replicas: num(obj(replicaSet.status)['replicas']) ?? 0,
    };
  });
}

function restarts(pods: KubeObject[]): ContainerRestart[] {
  const out: ContainerRestart[] = [];
  for (const pod of pods) {
    for (const status of arr(obj(pod.status)['containerStatuses'])) {
      const terminated = obj(obj(status['lastState'])['terminated']);
      const waiting = obj(obj(status['state'])['waiting']);
      const count = num(status['restartCount']) ?? 0;
      const waitingReason = str(waiting['reason']);
      if (count === 0 && !waitingReason) continue;
      out.push({
        pod: pod.metadata.name,
        container: String(status['name']),
        restarts: count,
        lastReason: str(terminated['reason']),
        lastExitCode: num(terminated['exitCode']),
        lastFinishedAt: str(terminated['finishedAt']),
        waitingReason,
      });
    }
  }
  return out.sort((a, b) => b.restarts - a.restarts);
}

function warnings(events: KubeObject[]): WarningEvent[] {
  return events
    .filter((event) => event['type'] === 'Warning')
    .map((event) => {
      const involved = obj(event['involvedObject']);
      return {
        reason: String(event['reason'] ?? ''),
        object: `${String(involved['kind'] ?? '')}/${String(involved['name'] ?? '')}`,
        // Event messages can carry text from the workload itself: bounded here, masked by the caller.
        message: String(event['message'] ?? '').slice(0, MAX_EVENT_MESSAGE),
        count: num(event['count']) ?? 1,
        lastSeen: str(event['lastTimestamp']) ?? str(event['eventTime']),
      };
    })
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
}

function nodeConditions(nodes: KubeObject[]): NodeCondition[] {
  const out: NodeCondition[] = [];
  for (const node of nodes) {
    if (obj(node.spec)['unschedulable'] === true) {
      out.push({
        node: node.metadata.name,
        condition: 'Unschedulable',
        status: 'True',
        reason: 'cordoned',
        since: null,
      });
    }
    for (const condition of arr(obj(node.status)['conditions'])) {
      const type = String(condition['type']);
      const status = String(condition['status']);
      const bad = type === 'Ready' ? status !== 'True' : status === 'True';
      if (!bad) continue;
      out.push({
        node: node.metadata.name,
        condition: type,
        status,
        reason: str(condition['reason']),
        since: str(condition['lastTransitionTime']),
      });
    }
  }
  return out;
}

function pendingPods(pods: KubeObject[]): PendingPod[] {
  return pods
    .filter((pod) => obj(pod.status)['phase'] === 'Pending')
    .map((pod) => {
      const scheduled = arr(obj(pod.status)['conditions']).find((c) => c['type'] === 'PodScheduled');
      return {
        pod: pod.metadata.name,
        reason: str(scheduled?.['reason']),
        message: str(scheduled?.['message'])?.slice(0, MAX_EVENT_MESSAGE) ?? null,
      };
    });
}

function hpasAtMax(hpas: KubeObject[]): HpaAtMax[] {
  return hpas.flatMap((hpa) => {
    const current = num(obj(hpa.status)['currentReplicas']) ?? 0;
    const max = num(obj(hpa.spec)['maxReplicas']) ?? Number.POSITIVE_INFINITY;
    return current >= max ? [{ name: hpa.metadata.name, current, max }] : [];
  });
}

function quantityText(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

function probeSpec(value: unknown): ProbeSpec | null {
  if (value === undefined || value === null) return null;
  const probe = obj(value);
  return {
    initialDelaySeconds: num(probe['initialDelaySeconds']),
    timeoutSeconds: num(probe['timeoutSeconds']),
    periodSeconds: num(probe['periodSeconds']),
    failureThreshold: num(probe['failureThreshold']),
  };
}

function containerSpecs(workload: KubeObject): ContainerSpec[] {
  const template = obj(obj(workload.spec)['template']);
  const containers = obj(template['spec'])['containers'];
  if (!Array.isArray(containers)) return [];
  return containers.map((raw) => {
    const container = obj(raw);
    const resources = obj(container['resources']);
    const requests = obj(resources['requests']);
    const limits = obj(resources['limits']);
    return {
      name: String(container['name'] ?? ''),
      requests: { cpu: quantityText(requests['cpu']), memory: quantityText(requests['memory']) },
      limits: { cpu: quantityText(limits['cpu']), memory: quantityText(limits['memory']) },
      liveness: probeSpec(container['livenessProbe']),
      readiness: probeSpec(container['readinessProbe']),
    };
  });
}

export function clusterFacts(snapshot: ClusterSnapshot, now: number): ClusterFacts {
  const workload = snapshot.workload;
  return {
    workload: workload
      ? {
          kind: String(workload.kind ?? ''),
          name: workload.metadata.name,
          paused: obj(workload.spec)['paused'] === true,
          replicas: num(obj(workload.spec)['replicas']),
          available: num(obj(workload.status)['availableReplicas']),
          containers: containerSpecs(workload),
        }
      : null,
    rollouts: rollouts(snapshot.replicaSets, now),
    restarts: restarts(snapshot.pods),
    warnings: warnings(snapshot.events),
    hpasAtMax: hpasAtMax(snapshot.hpas),
    nodeConditions: nodeConditions(snapshot.nodes),
    pendingPods: pendingPods(snapshot.pods),
  };
}
