import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/domain/memory/history.js';
import { openMemory } from '../../src/main/memory.js';
import { importHistory } from '../../src/pipeline/memory.js';
import { settle, startMedic, type TestMedic } from '../support/medic.js';
import { podAlert, webhookPayload } from '../support/payloads.js';
import { ThrowawayRedis } from '../support/redis.js';

const historyFile = join(import.meta.dirname, '../fixtures/history/mixed.yaml');
let redis: ThrowawayRedis;
let medic: TestMedic;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  medic = await startMedic({ redisUrl: redis.url });
  const memory = await openMemory(medic.config);
  await importHistory(parseHistory(readFileSync(historyFile, 'utf8'), historyFile), memory);
  await memory.index.close();
});
afterAll(async () => {
  await medic?.stop();
  await redis?.stop();
});

describe('retrieve stage, through the real queue and store', () => {
  it('stores the closest past incidents with their action and outcome, and audits it', async () => {
    const payload = webhookPayload([
      podAlert('shop', 'checkout-7d9f8b6c5-bcdfg', { alertname: 'KubeContainerOOMKilled' }),
    ]);
    const posted = await medic.post('/v1/webhooks/alertmanager', payload);
    const id = (posted.body as { incidents: string[] }).incidents[0] ?? '';
    await settle(medic);
    const detail = (await medic.get(`/v1/incidents/${id}`)).body as {
      similar: {
        embedder: string;
        matches: Array<{ incidentId: string; action: { playbook: string }; outcome: string }>;
      };
      timeline: Array<{ type: string; actor: string }>;
    };
    expect(detail.similar.embedder).toBe('hashing-v1-512');
    expect(detail.similar.matches[0]).toMatchObject({
      incidentId: 'inc-0412',
      action: { playbook: 'set-resources' },
      outcome: 'resolved',
    });
    expect(detail.similar.matches.length).toBeLessThanOrEqual(5);
    const types = detail.timeline.map((event) => event.type);
    expect(types.indexOf('similar.retrieved')).toBeGreaterThan(types.indexOf('evidence.collected'));
  });
});
