import type { KubeObject } from './evidence/telemetry.js';

export interface RolloutStatus {
  /** The rollout finished: kubectl rollout status would exit 0. */
  done: boolean;
  /** The rollout cannot finish by waiting (progress deadline exceeded, or a strategy kubectl cannot watch). */
  failed: boolean;
  /** kubectl's own wording, without the trailing newline. */
  message: string;
}

const waiting = (message: string): RolloutStatus => ({ done: false, failed: false, message });
const finished = (message: string): RolloutStatus => ({ done: true, failed: false, message });
const failure = (message: string): RolloutStatus => ({ done: false, failed: true, message });

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** An integer field; absent means 0, as Go's zero value does. */
const int = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** An optional integer pointer (spec.replicas, partition): undefined when absent. */
const optionalInt = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * The rollout status of a Deployment, StatefulSet or DaemonSet, decided exactly as `kubectl rollout
 * status` decides it (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go).
 */
export function rolloutStatus(object: KubeObject): RolloutStatus {
  switch (object.kind) {
    case 'Deployment':
      return deploymentStatus(object);
    case 'StatefulSet':
      return statefulSetStatus(object);
    case 'DaemonSet':
      return daemonSetStatus(object);
    default:
      return failure(`no status viewer has been implemented for kind ${String(object.kind)}`);
  }
}

function deploymentStatus(deployment: KubeObject): RolloutStatus {
  const name = deployment.metadata.name;
  const spec = record(deployment.spec);
  const status = record(deployment.status);
  if (int(deployment.metadata.generation) > int(status['observedGeneration'])) {
    return waiting('Waiting for deployment spec update to be observed...');
  }
  const conditions = Array.isArray(status['conditions']) ? status['conditions'].map(record) : [];
  const progressing = conditions.find((c) => c['type'] === 'Progressing');
  if (progressing?.['reason'] === 'ProgressDeadlineExceeded') {
    return failure(`deployment "${name}" exceeded its progress deadline`);
  }
  const replicas = optionalInt(spec['replicas']);
  const updated = int(status['updatedReplicas']);
  if (replicas !== undefined && updated < replicas) {
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    );
  }
  const total = int(status['replicas']);
  if (total > updated) {
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`,
    );
  }
  const available = int(status['availableReplicas']);
  if (available < updated) {
    return waiting(
      `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  }
  return finished(`deployment "${name}" successfully rolled out`);
}

/** The update strategy type; the API server defaults an absent one to RollingUpdate. */
function strategyType(strategy: Record<string, unknown>): string {
  return typeof strategy['type'] === 'string' ? strategy['type'] : 'RollingUpdate';
}

function statefulSetStatus(sts: KubeObject): RolloutStatus {
  const spec = record(sts.spec);
  const status = record(sts.status);
  const strategy = record(spec['updateStrategy']);
  if (strategyType(strategy) !== 'RollingUpdate') {
    return failure('rollout status is only available for RollingUpdate strategy type');
  }
  const observed = int(status['observedGeneration']);
  if (observed === 0 || int(sts.metadata.generation) > observed) {
    return waiting('Waiting for statefulset spec update to be observed...');
  }
  const replicas = optionalInt(spec['replicas']);
  const ready = int(status['readyReplicas']);
  if (replicas !== undefined && ready < replicas) {
    return waiting(`Waiting for ${replicas - ready} pods to be ready...`);
  }
  const updated = int(status['updatedReplicas']);
  const rollingUpdate = strategy['rollingUpdate'];
  if (rollingUpdate !== undefined && rollingUpdate !== null) {
    const partition = optionalInt(record(rollingUpdate)['partition']);
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return waiting(
        `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`,
      );
    }
    return finished(`partitioned roll out complete: ${updated} new pods have been updated...`);
  }
  const updateRevision = String(status['updateRevision'] ?? '');
  const currentRevision = String(status['currentRevision'] ?? '');
  if (updateRevision !== currentRevision) {
    return waiting(
      `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...`,
    );
  }
  return finished(
    `statefulset rolling update complete ${int(status['currentReplicas'])} pods at revision ${currentRevision}...`,
  );
}

function daemonSetStatus(daemon: KubeObject): RolloutStatus {
  const name = daemon.metadata.name;
  const spec = record(daemon.spec);
  const status = record(daemon.status);
  if (strategyType(record(spec['updateStrategy'])) !== 'RollingUpdate') {
    return failure('rollout status is only available for RollingUpdate strategy type');
  }
  if (int(daemon.metadata.generation) > int(status['observedGeneration'])) {
    return waiting('Waiting for daemon set spec update to be observed...');
  }
  const desired = int(status['desiredNumberScheduled']);
  const updated = int(status['updatedNumberScheduled']);
  if (updated < desired) {
    return waiting(
      `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    );
  }
  const available = int(status['numberAvailable']);
  if (available < desired) {
    return waiting(
      `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`,
    );
  }
  return finished(`daemon set "${name}" successfully rolled out`);
}
