import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { rolloutStatus } from '../../src/domain/rollout.js';

function object(
  kind: string,
  generation: number,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'web', generation }, spec, status };
}

const deployment = (status: Record<string, unknown>, generation = 2) =>
  object('Deployment', generation, { replicas: 3 }, status);

const rolledOut = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };

describe('rolloutStatus of a Deployment, as kubectl judges it', () => {
  it('waits until the controller has observed the spec', () => {
    expect(rolloutStatus(deployment({ ...rolledOut, observedGeneration: 1 }))).toEqual({
      done: false,
      failed: false,
      message: 'Waiting for deployment spec update to be observed...',
    });
  });

  it('fails once the progress deadline is exceeded', () => {
    const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    expect(rolloutStatus(deployment({ ...rolledOut, updatedReplicas: 1, conditions }))).toEqual({
      done: false,
      failed: true,
      message: 'deployment "web" exceeded its progress deadline',
    });
  });

  it('ignores a deadline condition the controller has not caught up with', () => {
    const conditions = [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }];
    const status = rolloutStatus(deployment({ ...rolledOut, observedGeneration: 1, conditions }));
    expect(status.failed).toBe(false);
  });

  it('waits while fewer replicas than wanted are updated', () => {
    expect(rolloutStatus(deployment({ ...rolledOut, updatedReplicas: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
  });

  it('waits while old replicas are terminating', () => {
    const status = rolloutStatus(deployment({ ...rolledOut, replicas: 5 }));
    expect(status).toMatchObject({ done: false, failed: false });
    expect(status.message).toBe(
      'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
    );
  });

  it('waits while updated replicas are not yet available', () => {
    expect(rolloutStatus(deployment({ ...rolledOut, availableReplicas: 2 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    );
  });

  it('is done when every replica is updated and available', () => {
    expect(rolloutStatus(deployment(rolledOut))).toEqual({
      done: true,
      failed: false,
      message: 'deployment "web" successfully rolled out',
    });
  });

  it('skips the replica count check when spec.replicas is absent', () => {
    const status = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 };
    expect(rolloutStatus(object('Deployment', 2, {}, status)).done).toBe(true);
    expect(rolloutStatus(object('Deployment', 2, { replicas: 3 }, status)).done).toBe(false);
  });
});

const sts = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) =>
  object('StatefulSet', generation, { replicas: 3, ...spec }, status);
const stsStatus = {
  observedGeneration: 2,
  readyReplicas: 3,
  updatedReplicas: 3,
  currentReplicas: 3,
  updateRevision: 'web-2',
  currentRevision: 'web-2',
};

describe('rolloutStatus of a StatefulSet', () => {
  it('refuses an OnDelete strategy', () => {
    const status = rolloutStatus(sts({ updateStrategy: { type: 'OnDelete' } }, stsStatus));
    expect(status).toEqual({
      done: false,
      failed: true,
      message: 'rollout status is only available for RollingUpdate strategy type',
    });
  });

  it('waits for the spec to be observed, also when never observed', () => {
    expect(rolloutStatus(sts({}, { ...stsStatus, observedGeneration: 1 })).message).toBe(
      'Waiting for statefulset spec update to be observed...',
    );
    expect(rolloutStatus(sts({}, { ...stsStatus, observedGeneration: 0 }, 0)).done).toBe(false);
  });

  it('waits for pods to be ready', () => {
    expect(rolloutStatus(sts({}, { ...stsStatus, readyReplicas: 1 })).message).toBe(
      'Waiting for 2 pods to be ready...',
    );
  });

  it('waits for a partitioned rollout, then calls it complete', () => {
    const partitioned = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } };
    expect(rolloutStatus(sts(partitioned, { ...stsStatus, updatedReplicas: 1 }))).toEqual({
      done: false,
      failed: false,
      message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...',
    });
    expect(rolloutStatus(sts(partitioned, { ...stsStatus, updatedReplicas: 2 }))).toEqual({
      done: true,
      failed: false,
      message: 'partitioned roll out complete: 2 new pods have been updated...',
    });
  });

  it('waits until the current revision is the update revision', () => {
    const status = rolloutStatus(sts({}, { ...stsStatus, updatedReplicas: 1, currentRevision: 'web-1' }));
    expect(status).toEqual({
      done: false,
      failed: false,
      message: 'waiting for statefulset rolling update to complete 1 pods at revision web-2...',
    });
  });

  it('is done when every pod is ready at the update revision', () => {
    expect(rolloutStatus(sts({}, stsStatus))).toEqual({
      done: true,
      failed: false,
      message: 'statefulset rolling update complete 3 pods at revision web-2...',
    });
  });
});

const ds = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 2) =>
  object('DaemonSet', generation, spec, status);
const dsStatus = {
  observedGeneration: 2,
  desiredNumberScheduled: 4,
  updatedNumberScheduled: 4,
  numberAvailable: 4,
};

describe('rolloutStatus of a DaemonSet', () => {
  it('refuses an OnDelete strategy', () => {
    expect(rolloutStatus(ds(dsStatus, { updateStrategy: { type: 'OnDelete' } })).failed).toBe(true);
  });

  it('waits for the spec to be observed', () => {
    expect(rolloutStatus(ds({ ...dsStatus, observedGeneration: 1 })).message).toBe(
      'Waiting for daemon set spec update to be observed...',
    );
  });

  it('waits for updated pods, then for available ones', () => {
    expect(rolloutStatus(ds({ ...dsStatus, updatedNumberScheduled: 2 })).message).toBe(
      'Waiting for daemon set "web" rollout to finish: 2 out of 4 new pods have been updated...',
    );
    expect(rolloutStatus(ds({ ...dsStatus, numberAvailable: 3 })).message).toBe(
      'Waiting for daemon set "web" rollout to finish: 3 of 4 updated pods are available...',
    );
  });

  it('is done when every scheduled pod is updated and available', () => {
    expect(rolloutStatus(ds(dsStatus))).toEqual({
      done: true,
      failed: false,
      message: 'daemon set "web" successfully rolled out',
    });
  });
});

describe('rolloutStatus of other kinds', () => {
  it('fails for a kind kubectl has no status viewer for', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    expect(rolloutStatus(pod)).toMatchObject({ done: false, failed: true });
  });
});
