import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/main/runtime.js';
import { startWorkers, type Workers } from '../../src/main/workers.js';
import { createLogger } from '../../src/observability/logger.js';
import { startMedic, type TestMedic } from '../support/medic.js';
import { podAlert, webhookPayload } from '../support/payloads.js';
import { waitFor } from '../support/ports.js';
import { ThrowawayRedis } from '../support/redis.js';
import { type Child, exitWithin, slowWorker, spawnNode } from './children.js';

// Generated-looking pod names (Kubernetes' suffix alphabet) of one Deployment, so they correlate together.
const pods = ['bcdfg', 'hjklm', 'npqrs', 'tvwxz', '24567', '89bcd'].map(
  (suffix) => `checkout-7d9f8b6c4d-${suffix}`,
);

// `before`: killed holding the write lock before any write; `after`: killed with every write of the job made
// inside the open transaction but not committed, so a non-atomic store would leave a half-applied job behind.
describe.each(['before', 'after'])('a worker killed mid-job (%s its writes)', (phase) => {
  let redis: ThrowawayRedis;
  let medic: TestMedic;
  let child: Child | undefined;
  let second: { runtime: Runtime; workers: Workers } | undefined;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    // Ingest only: the correlate job is left to the child worker, which shares data dir, config and prefix.
    medic = await startMedic({
      redisUrl: redis.url,
      withWorkers: false,
      overrides: {
        queue: { backoffMs: 50, stalledIntervalMs: 1000, lockDurationMs: 2000, shutdownTimeoutMs: 2000 },
      },
    });
  });

  afterAll(async () => {
    await child?.kill();
    await second?.workers.close();
    await second?.runtime.close();
    await medic?.stop();
    await redis?.stop();
  });

  it('loses nothing and counts nothing twice when another worker takes the job over', async () => {
    const dataDir = medic.config.dataDir;
    const marker = join(dataDir, 'slow-worker.marker');
    child = spawnNode(
      slowWorker,
      [],
      {
        REDIS_URL: redis.url,
        MEDIC_DATA_DIR: dataDir,
        MEDIC_CONFIG: join(dataDir, 'medic.yaml'),
        SLOW_WORKER_MARKER: marker,
        SLOW_WORKER_DELAY_MS: '60000',
        SLOW_WORKER_PHASE: phase,
      },
      true,
    );

    const posted = await medic.post(
      '/v1/webhooks/alertmanager',
      webhookPayload(pods.map((pod) => podAlert('shop', pod, { labels: { severity: 'critical' } }))),
    );
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ accepted: pods.length, duplicates: 0 });
    const [incidentId] = (posted.body as { incidents: string[] }).incidents;
    expect((posted.body as { incidents: string[] }).incidents).toHaveLength(1);

    // The child has begun the write transaction and is stalled inside the job.
    await waitFor('the child to be mid-job', async () => {
      if (child?.process.exitCode !== null) throw new Error(`child exited early:\n${child?.stderr()}`);
      return existsSync(marker);
    });
    const queue = medic.runtime.ingestQueue.queue;
    expect(await queue.getJobCounts('active', 'completed')).toEqual({ active: 1, completed: 0 });

    await child.kill('SIGKILL');
    expect((await exitWithin(child, 5000)).signal).toBe('SIGKILL');

    // Nothing of the uncommitted transaction is visible, and the job is not lost: it is still active in Redis.
    expect(await medic.incidents()).toEqual([]);
    expect(await queue.getJobCounts('active', 'waiting', 'completed', 'failed')).toEqual({
      active: 1,
      waiting: 0,
      completed: 0,
      failed: 0,
    });

    // A second, healthy worker: it must recover the stalled job once the dead worker's lock expires.
    const runtime = await openRuntime(medic.config, createLogger('error'));
    second = { runtime, workers: await startWorkers(runtime) };

    await waitFor(
      'the stalled job to be completed by the second worker',
      async () => (await queue.getJobCounts('completed'))['completed'] === 1,
      30_000,
    );
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
    });
    expect(await queue.getFailed()).toEqual([]);

    const incidents = await medic.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      id: incidentId,
      // Still firing: the pipeline may have moved it on (escalated: no cluster here), never resolved.
      state: expect.not.stringMatching(/^resolved$/),
      namespace: 'shop',
      title: 'KubePodCrashLooping on Deployment/checkout',
      alertCount: pods.length,
      firingCount: pods.length,
    });
    const alerts = await medic.runtime.store.alerts(incidentId as string);
    expect(alerts.map((alert) => alert.labels['pod']).sort()).toEqual([...pods].sort());

    // Correlate's events exactly once; the gather stage adds its own evidence events after them.
    const correlateOnly = (events: Array<{ actor: string }>) =>
      events.filter((event) => event.actor === 'medic/correlate');
    const timeline = correlateOnly(
      await medic.runtime.store.read({ incident: incidentId as string }),
    ) as Awaited<ReturnType<typeof medic.runtime.store.read>>;
    expect(timeline.map((event) => event.type)).toEqual(['incident.opened', 'alerts.received']);
    expect(timeline[1]?.data).toMatchObject({ count: pods.length, firing: pods.length });
    const all = await medic.runtime.store.read({});
    expect(correlateOnly(all)).toHaveLength(2);
    expect(await medic.runtime.store.verify()).toMatchObject({ ok: true, checked: all.length });

    // The same payload again (Alertmanager resending) changes nothing.
    const again = await medic.post(
      '/v1/webhooks/alertmanager',
      webhookPayload(pods.map((pod) => podAlert('shop', pod, { labels: { severity: 'critical' } }))),
    );
    expect(again.body).toMatchObject({ duplicates: pods.length });
    expect((await medic.incidents())[0]).toMatchObject({ alertCount: pods.length });
  });
});
