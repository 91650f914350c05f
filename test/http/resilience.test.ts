import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startMedic, type TestMedic } from '../support/medic.js';
import { podAlert, webhookPayload } from '../support/payloads.js';
import { waitFor } from '../support/ports.js';
import { ThrowawayRedis } from '../support/redis.js';

describe('Redis unreachable', () => {
  let redis: ThrowawayRedis;
  let medic: TestMedic;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    medic = await startMedic({ redisUrl: redis.url, overrides: { ingest: { retryAfterSeconds: 7 } } });
  });
  afterAll(async () => {
    await medic?.stop();
    await redis?.stop();
  });

  it('answers 503 with Retry-After, never 202, and accepts the resend exactly once when Redis is back', async () => {
    const payload = webhookPayload([podAlert('outage', 'ledger-0'), podAlert('outage', 'ledger-1')]);
    await redis.stop();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await medic.post('/v1/webhooks/alertmanager', payload);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('7');
      expect((response.body as { error: { code: string } }).error.code).toBe('MEDIC_E_QUEUE_UNAVAILABLE');
    }
    expect((await medic.get('/readyz')).status).toBe(503);

    await redis.restart();
    const accepted = await waitFor('a 202 after Redis returned', async () => {
      const response = await medic.post('/v1/webhooks/alertmanager', payload);
      return response.status === 202 ? response : null;
    });
    expect((accepted.body as { duplicates: number }).duplicates).toBe(0);
    const again = await medic.post('/v1/webhooks/alertmanager', payload);
    expect(again.status).toBe(202);
    expect((again.body as { duplicates: number }).duplicates).toBe(2);
    await settle(medic);
    const incidents = (await medic.incidents()).filter((incident) => incident['namespace'] === 'outage');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.['alertCount']).toBe(2);
  });
});

describe('backpressure', () => {
  let redis: ThrowawayRedis;
  let medic: TestMedic;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    // No workers: nothing drains the queue, so the backlog only grows.
    medic = await startMedic({
      redisUrl: redis.url,
      withWorkers: false,
      overrides: { ingest: { maxBacklog: 3, backlogRefreshMs: 20, retryAfterSeconds: 11 } },
    });
  });
  afterAll(async () => {
    await medic?.stop();
    await redis?.stop();
  });

  it('answers 503 with Retry-After once the backlog passes the bound', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await medic.post(
        '/v1/webhooks/alertmanager',
        webhookPayload([podAlert('bp', `web-${i}`)]),
      );
      statuses.push(response.status);
      if (response.status === 503) {
        expect(response.headers.get('retry-after')).toBe('11');
        expect((response.body as { error: { code: string } }).error.code).toBe('MEDIC_E_BACKPRESSURE');
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses.slice(3)).toEqual([503, 503, 503]);
  });
});

describe('Redis eviction policy', () => {
  it('warns at start-up when maxmemory-policy is not noeviction', async () => {
    const redis = await ThrowawayRedis.start();
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    admin.disconnect();
    const { producerConnection, evictionWarning, waitUntilReady } = await import(
      '../../src/adapters/bullmq/connection.js'
    );
    const connection = producerConnection({ url: redis.url, prefix: 'w', commandTimeoutMs: 1000 });
    expect(await waitUntilReady(connection, 3000)).toBe(true);
    expect(await evictionWarning(connection)).toMatch(/allkeys-lru.*noeviction/);
    const fixer = new Redis(redis.url);
    await fixer.config('SET', 'maxmemory-policy', 'noeviction');
    fixer.disconnect();
    expect(await evictionWarning(connection)).toBeNull();
    connection.disconnect();
    await redis.stop();
  });
});
