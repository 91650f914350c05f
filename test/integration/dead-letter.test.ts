import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedic, type TestMedic } from '../support/medic.js';
import { waitFor } from '../support/ports.js';
import { ThrowawayRedis } from '../support/redis.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

let redis: ThrowawayRedis;
let medic: TestMedic;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  medic = await startMedic({ redisUrl: redis.url, overrides: { queue: { attempts: 2, backoffMs: 10 } } });
});
afterAll(async () => {
  await medic?.stop();
  await redis?.stop();
});

async function cli(...args: string[]) {
  return run(process.execPath, ['bin/medic.js', ...args], { cwd: root, env: medic.cliEnv });
}

describe('the failed set is the dead-letter queue', () => {
  it('keeps a job that cannot succeed, lists it, and replays it on `medic queue retry`', async () => {
    // A job no correlate run can process: it fails at once (retries cannot help) and is kept, not dropped.
    await medic.runtime.ingestQueue.queue.add('alerts', { admissions: 'not a list' });
    const queue = medic.runtime.ingestQueue.queue;
    await waitFor('the job to land in the failed set', async () => (await queue.getFailedCount()) === 1);

    const listed = JSON.parse((await cli('queue', 'failed', '--json')).stdout) as Array<{
      stage: string;
      attempts: number;
      failedReason: string;
    }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ stage: 'correlate', attempts: 1 });
    expect(listed[0]?.failedReason).toMatch(/malformed correlate job payload/);

    const table = (await cli('queue', 'failed')).stdout;
    expect(table).toMatch(/correlate/);

    const retried = await cli('queue', 'retry');
    expect(retried.stdout).toMatch(/1 failed job\(s\) moved back to waiting/);
    // Replayed: it runs again (and, being broken, fails again).
    await waitFor('the replayed job to fail again', async () => {
      const job = (await queue.getFailed())[0];
      return job !== undefined && job.attemptsMade >= 2 && (await queue.getFailedCount()) === 1;
    });
    const stats = JSON.parse((await cli('queue', 'stats', '--json')).stdout) as Array<{
      stage: string;
      state: string;
      jobs: number;
    }>;
    expect(stats.find((s) => s.stage === 'correlate' && s.state === 'failed')?.jobs).toBe(1);
  });

  it('exits non-zero with a message on bad CLI usage', async () => {
    const failure = await cli('incidents', 'list', '--limit', 'zero').catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/--limit/);
    const unknown = await cli('incidents', 'show', 'inc-none').catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toMatch(/MEDIC_E_NOT_FOUND/);
  });
});
