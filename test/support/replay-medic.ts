import { join } from 'node:path';
import { clockFrom, openReplayWorld, type ReplayWorld } from '../../src/main/replay-world.js';
import { startMedic, type TestMedic } from './medic.js';
import { ThrowawayRedis } from './redis.js';

export const OOM_WORLD = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');

export interface ReplayMedic {
  redis: ThrowawayRedis;
  replay: ReplayWorld;
  medic: TestMedic;
  /** Writes that reached the replayed cluster (dry-runs excluded). */
  writes(): string[];
  stop(): Promise<void>;
}

/** A real medic (HTTP, BullMQ, SQLite, workers) acting on a replayed world behind the real Kubernetes client. */
export async function startReplayMedic(
  overrides: Record<string, unknown> = {},
  world = OOM_WORLD,
): Promise<ReplayMedic> {
  const redis = await ThrowawayRedis.start();
  const replay = await openReplayWorld(world, { rolloutReads: 2 });
  const medic = await startMedic({
    redisUrl: redis.url,
    runtimeOverrides: { ...replay.overrides, clock: clockFrom(replay.world.now, 100) },
    overrides: { execution: { pollIntervalMs: 50 }, ...overrides },
  });
  return {
    redis,
    replay,
    medic,
    writes: () => replay.kube.requests.filter((r) => r.startsWith('PATCH') && !r.includes('dryRun')),
    async stop() {
      await medic.stop();
      await replay.close();
      await redis.stop();
    },
  };
}
