import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestMedic } from '../support/medic.js';
import { waitFor } from '../support/ports.js';
import { type ReplayMedic, startReplayMedic } from '../support/replay-medic.js';

let setup: ReplayMedic;
let replay: ReplayMedic['replay'];
let medic: TestMedic;

beforeAll(async () => {
  setup = await startReplayMedic({
    execution: { pollIntervalMs: 50, pausedRecheckMs: 200 },
    queue: { attempts: 2 },
  });
  ({ replay, medic } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

const writes = () => setup.writes();
const stateOf = async (id: string) => (await medic.runtime.store.get(id))?.state;

describe('the kill switch holds an approved execution through the real queue', () => {
  it('waits while paused without spending retries, then runs once on resume', async () => {
    const accepted = await medic.post('/v1/webhooks/alertmanager', replay.world.alert);
    const id = (accepted.body as { incidents: string[] }).incidents[0] ?? '';
    await waitFor('approval to be needed', async () => (await stateOf(id)) === 'awaiting-approval', 30_000);
    await medic.post('/v1/pause', { by: 'carol', reason: 'change freeze' });
    expect((await medic.post(`/v1/incidents/${id}/approve`, { by: 'alice' })).body).toMatchObject({
      status: 'approved',
    });

    // Paused far longer than two attempts' worth of backoff: the job keeps coming back, never fails.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const queue = medic.runtime.stages.queues.get('execute');
    expect(await queue?.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(await stateOf(id)).toBe('approved');
    expect(writes()).toEqual([]);
    const types = (await medic.runtime.store.read({ incident: id })).map((e) => e.type);
    expect(types.filter((t) => t === 'execution.skipped.paused').length).toBeGreaterThan(1);

    await medic.post('/v1/resume', { by: 'carol' });
    await waitFor('the execution to finish', async () => (await stateOf(id)) === 'resolved', 30_000);
    expect(writes()).toHaveLength(1);
  });
});
