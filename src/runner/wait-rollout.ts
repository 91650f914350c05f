import type { ObjectRef } from '../domain/playbook.js';
import { type RolloutStatus, rolloutStatus } from '../domain/rollout.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterReader, ObjectRef as ReadRef } from '../ports/cluster.js';

export const rolloutKinds: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export interface RolloutWaitDeps {
  reader: ClusterReader;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  pollIntervalMs: number;
  /** Called after every poll that is still waiting (the runner refreshes its lease there). */
  onPoll?(status: RolloutStatus): Promise<void>;
}

export interface RolloutOutcome extends RolloutStatus {
  timedOut: boolean;
}

/** Polls the object until its rollout is done, has failed, or `timeoutSeconds` have passed. */
export async function waitForRollout(
  ref: ObjectRef,
  timeoutSeconds: number,
  deps: RolloutWaitDeps,
): Promise<RolloutOutcome> {
  const deadline = deps.clock.now().getTime() + timeoutSeconds * 1000;
  for (;;) {
    const object = await deps.reader.get(ref as ReadRef);
    if (!object) {
      return { done: false, failed: true, timedOut: false, message: `${ref.kind} ${ref.name} is gone` };
    }
    const status = rolloutStatus(object);
    if (status.done || status.failed) return { ...status, timedOut: false };
    if (deps.clock.now().getTime() >= deadline) {
      return {
        done: false,
        failed: true,
        timedOut: true,
        message: `rollout not finished after ${timeoutSeconds}s: ${status.message}`,
      };
    }
    await deps.onPoll?.(status);
    await deps.sleep(deps.pollIntervalMs);
  }
}
