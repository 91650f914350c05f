import { afterEach, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { waitForRollout } from '../../src/runner/wait-rollout.js';
import { fakeClock, raiseMemory, seedObjects } from './execute-fixtures.js';

let server: KubeReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A changed Deployment on a replay server whose rollout finishes after `reads` reads. */
async function changedDeployment(reads: number) {
  server = await startKubeReplayServer(seedObjects('shop'), { writable: true, rolloutReads: reads });
  const config = { kubeconfigYaml: server.kubeconfigYaml };
  const step = raiseMemory('shop');
  if (step.action !== 'patch') throw new Error('expected a patch step');
  await createClusterWriter(config).patch(step.ref, step.patchType, step.patch, {
    dryRun: false,
    fieldManager: 'medic',
  });
  const clock = fakeClock();
  const polls: string[] = [];
  const deps = {
    reader: createClusterReader(config),
    clock,
    sleep: async (ms: number) => clock.advance(ms),
    pollIntervalMs: 1000,
    onPoll: async (status: { message: string }) => {
      polls.push(status.message);
    },
  };
  return { ref: step.ref, deps, polls };
}

describe('waitForRollout', () => {
  it('polls until the rollout is done', async () => {
    const { ref, deps, polls } = await changedDeployment(3);
    const outcome = await waitForRollout(ref, 60, deps);
    expect(outcome).toMatchObject({ done: true, failed: false, timedOut: false });
    expect(outcome.message).toMatch(/successfully rolled out/);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls[0]).toMatch(/Waiting for deployment/);
  });

  it('gives up after the timeout with the last status', async () => {
    const { ref, deps, polls } = await changedDeployment(10_000);
    const outcome = await waitForRollout(ref, 30, deps);
    expect(outcome).toMatchObject({ done: false, failed: true, timedOut: true });
    expect(outcome.message).toMatch(/^rollout not finished after 30s: Waiting for deployment/);
    expect(polls).toHaveLength(30);
  });

  it('fails when the workload is gone', async () => {
    const { deps } = await changedDeployment(0);
    const outcome = await waitForRollout(
      { kind: 'Deployment', namespace: 'shop', name: 'missing' },
      30,
      deps,
    );
    expect(outcome).toMatchObject({ done: false, failed: true, message: 'Deployment missing is gone' });
  });
});
