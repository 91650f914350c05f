import { createHash, randomBytes } from 'node:crypto';
import type { KubeObject } from '../../domain/evidence/telemetry.js';
import type { KubeReplayStore } from './kube-store.js';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';
// The alphabet of k8s.io/apimachinery's rand.SafeEncodeString: no vowels, no look-alikes.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function safeEncode(bytes: Buffer, length: number): string {
  return [...bytes.subarray(0, length)].map((b) => SAFE[b % SAFE.length]).join('');
}

/** The pod template without the hash label the controller adds, for comparing templates. */
function bareTemplate(template: unknown): Json {
  const copy = structuredClone(record(template));
  const labels = record(record(copy['metadata'])['labels']);
  delete labels[HASH];
  return copy;
}

const templateHash = (template: unknown) =>
  safeEncode(
    createHash('sha256')
      .update(canonical(bareTemplate(template)))
      .digest(),
    10,
  );

const revisionOf = (o: KubeObject) => Number(o.metadata.annotations?.[REVISION] ?? 0) || 0;
const wanted = (o: KubeObject) => (typeof o.spec?.['replicas'] === 'number' ? o.spec['replicas'] : 1);
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * A deliberately simple stand-in for the workload controllers: a spec change of a Deployment makes
 * (or reuses) the ReplicaSet of its template with the next revision, and after `readsToConverge` reads
 * of the workload its status, ReplicaSets and Pods converge to a finished rollout with every pod ready.
 */
export class ReplayRollouts {
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly store: KubeReplayStore,
    private readonly readsToConverge: number,
  ) {}

  /** Called after a spec change to `after` was stored; returns the workload as it is stored now. */
  specChanged(before: KubeObject, after: KubeObject): KubeObject {
    if (!workloadKinds.has(String(after.kind))) return after;
    if (after.kind === 'Deployment') this.newReplicaSet(before, after);
    if (this.readsToConverge <= 0) return this.converge(after);
    this.pending.set(this.key(after), this.readsToConverge);
    return after;
  }

  /** Called for each read of one object; a pending rollout converges on its last awaited read. */
  read(object: KubeObject): KubeObject {
    const key = this.key(object);
    const left = this.pending.get(key);
    if (left === undefined) return object;
    if (left > 1) {
      this.pending.set(key, left - 1);
      return object;
    }
    this.pending.delete(key);
    return this.converge(object);
  }

  /** A deleted pod whose ReplicaSet still wants it comes back under a new name, as the controller does. */
  podDeleted(pod: KubeObject): void {
    const owner = pod.metadata.ownerReferences?.find((ref) => ref.kind === 'ReplicaSet' && ref.controller);
    if (!owner) return;
    const rs = this.store.find('ReplicaSet', pod.metadata.namespace ?? 'default', owner.name);
    if (!rs) return;
    const have = this.podsOf(rs).length;
    if (have < wanted(rs)) this.createPods(rs, wanted(rs) - have);
  }

  private key(o: KubeObject): string {
    return `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  }

  private replicaSetsOf(deployment: KubeObject): KubeObject[] {
    return this.store
      .of({ kind: 'ReplicaSet', namespaced: true }, deployment.metadata.namespace ?? 'default')
      .filter((rs) =>
        rs.metadata.ownerReferences?.some(
          (ref) => ref.kind === 'Deployment' && ref.name === deployment.metadata.name,
        ),
      );
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.store
      .of({ kind: 'Pod', namespaced: true }, rs.metadata.namespace ?? 'default')
      .filter((pod) =>
        pod.metadata.ownerReferences?.some(
          (ref) => ref.kind === 'ReplicaSet' && ref.name === rs.metadata.name,
        ),
      );
  }

  private currentReplicaSet(deployment: KubeObject): KubeObject | undefined {
    const template = canonical(bareTemplate(deployment.spec?.['template']));
    return this.replicaSetsOf(deployment).find(
      (rs) => canonical(bareTemplate(rs.spec?.['template'])) === template,
    );
  }

  private newReplicaSet(before: KubeObject, deployment: KubeObject): void {
    const template = deployment.spec?.['template'];
    if (canonical(before.spec?.['template']) === canonical(template) && this.currentReplicaSet(deployment))
      return;
    const sets = this.replicaSetsOf(deployment);
    const revision = Math.max(revisionOf(deployment), ...sets.map(revisionOf)) + 1;
    // A template an older ReplicaSet already has (a rollback) reuses that ReplicaSet under the new revision.
    const rs = this.currentReplicaSet(deployment) ?? this.createReplicaSet(deployment);
    rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION]: String(revision) };
    this.store.put(rs);
    deployment.metadata.annotations = { ...deployment.metadata.annotations, [REVISION]: String(revision) };
    deployment.status = {
      ...deployment.status,
      observedGeneration: deployment.metadata.generation,
      updatedReplicas: 0,
      conditions: this.conditions(
        deployment,
        'ReplicaSetUpdated',
        `ReplicaSet "${rs.metadata.name}" is progressing.`,
      ),
    };
    this.store.put(deployment);
  }

  private createReplicaSet(deployment: KubeObject): KubeObject {
    const hash = templateHash(deployment.spec?.['template']);
    const template = structuredClone(record(deployment.spec?.['template']));
    const metadata = record(template['metadata']);
    template['metadata'] = { ...metadata, labels: { ...record(metadata['labels']), [HASH]: hash } };
    const selector = record(deployment.spec?.['selector']);
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace ?? 'default',
        labels: { ...(record(metadata['labels']) as Record<string, string>), [HASH]: hash },
        ownerReferences: [ownerReference(deployment)],
        generation: 1,
      },
      spec: {
        replicas: 0,
        selector: { ...selector, matchLabels: { ...record(selector['matchLabels']), [HASH]: hash } },
        template,
      },
      status: { replicas: 0, observedGeneration: 1 },
    };
  }

  private converge(object: KubeObject): KubeObject {
    const replicas = wanted(object);
    const generation = object.metadata.generation;
    if (object.kind === 'Deployment') this.convergeReplicaSets(object);
    const status = { ...object.status, observedGeneration: generation };
    if (object.kind === 'Deployment') {
      const rs = this.currentReplicaSet(object);
      const message = `ReplicaSet "${rs?.metadata.name ?? object.metadata.name}" has successfully progressed.`;
      Object.assign(status, counts(replicas), {
        updatedReplicas: replicas,
        conditions: this.conditions(object, 'NewReplicaSetAvailable', message),
      });
    } else if (object.kind === 'StatefulSet') {
      const revision = `${object.metadata.name}-${templateHash(object.spec?.['template'])}`;
      Object.assign(status, counts(replicas), {
        currentReplicas: replicas,
        updatedReplicas: replicas,
        currentRevision: revision,
        updateRevision: revision,
      });
    } else {
      const desired = Number(object.status?.['desiredNumberScheduled'] ?? 0);
      Object.assign(status, {
        currentNumberScheduled: desired,
        updatedNumberScheduled: desired,
        numberReady: desired,
        numberAvailable: desired,
        numberUnavailable: 0,
      });
    }
    object.status = status;
    return this.store.put(object);
  }

  private convergeReplicaSets(deployment: KubeObject): void {
    const current = this.currentReplicaSet(deployment);
    for (const rs of this.replicaSetsOf(deployment)) {
      const replicas = rs === current ? wanted(deployment) : 0;
      const pods = this.podsOf(rs);
      for (const pod of pods.slice(replicas)) this.store.remove(pod);
      if (pods.length < replicas) this.createPods(rs, replicas - pods.length);
      rs.spec = { ...rs.spec, replicas };
      rs.status = {
        ...counts(replicas),
        fullyLabeledReplicas: replicas,
        observedGeneration: rs.metadata.generation,
      };
      this.store.put(rs);
    }
  }

  private createPods(rs: KubeObject, count: number): void {
    const template = record(rs.spec?.['template']);
    const spec = structuredClone(record(template['spec']));
    const node = this.store.of({ kind: 'Node', namespaced: false }, null)[0];
    if (node && spec['nodeName'] === undefined) spec['nodeName'] = node.metadata.name;
    const containers = Array.isArray(spec['containers']) ? spec['containers'].map(record) : [];
    for (let i = 0; i < count; i += 1) {
      const started = now();
      this.store.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${rs.metadata.name}-${safeEncode(randomBytes(5), 5)}`,
          namespace: rs.metadata.namespace ?? 'default',
          labels: { ...(record(record(template['metadata'])['labels']) as Record<string, string>) },
          ownerReferences: [ownerReference(rs)],
        },
        spec,
        status: {
          phase: 'Running',
          conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
            type,
            status: 'True',
            lastTransitionTime: started,
          })),
          startTime: started,
          containerStatuses: containers.map((c) => ({
            name: c['name'],
            image: c['image'],
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: started } },
          })),
        },
      });
    }
  }

  private conditions(deployment: KubeObject, reason: string, message: string): unknown[] {
    const at = now();
    const others = (Array.isArray(deployment.status?.['conditions']) ? deployment.status['conditions'] : [])
      .map(record)
      .filter((c) => c['type'] !== 'Progressing' && c['type'] !== 'Available');
    return [
      ...others,
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: at,
        lastTransitionTime: at,
      },
      { type: 'Progressing', status: 'True', reason, message, lastUpdateTime: at, lastTransitionTime: at },
    ];
  }
}

function counts(replicas: number): Json {
  return { replicas, readyReplicas: replicas, availableReplicas: replicas, unavailableReplicas: 0 };
}

function ownerReference(owner: KubeObject) {
  return {
    apiVersion: String(owner.apiVersion ?? 'apps/v1'),
    kind: String(owner.kind),
    name: owner.metadata.name,
    uid: String(owner.metadata.uid ?? ''),
    controller: true,
    blockOwnerDeletion: true,
  };
}
