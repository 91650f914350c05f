import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplayWorld, type ReplayWorld } from '../../src/main/replay-world.js';
import { startMedic, type TestMedic } from '../support/medic.js';
import { waitFor } from '../support/ports.js';
import { ThrowawayRedis } from '../support/redis.js';

const WORLD = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');
let redis: ThrowawayRedis;
let replay: ReplayWorld;
let medic: TestMedic;

/** The case's clock at 100x speed, so the verify window passes in seconds. */
function fastClock(start: Date) {
  const startedAt = Date.now();
  return { now: () => new Date(start.getTime() + (Date.now() - startedAt) * 100) };
}

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  replay = await openReplayWorld(WORLD, { rolloutReads: 2 });
  medic = await startMedic({
    redisUrl: redis.url,
    runtimeOverrides: { ...replay.overrides, clock: fastClock(replay.world.now) },
    overrides: { execution: { pollIntervalMs: 50, pausedRecheckMs: 200 }, queue: { attempts: 2 } },
  });
});

afterAll(async () => {
  await medic?.stop();
  await replay?.close();
  await redis?.stop();
});

const writes = () => replay.kube.requests.filter((r) => r.startsWith('PATCH') && !r.includes('dryRun'));
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
