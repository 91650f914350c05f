import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startMedic, type TestMedic } from '../support/medic.js';
import { podAlert, webhookPayload } from '../support/payloads.js';
import { ThrowawayRedis } from '../support/redis.js';

const TOKEN = 'webhook-secret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let redis: ThrowawayRedis;
let medic: TestMedic;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  medic = await startMedic({ redisUrl: redis.url, env: { MEDIC_WEBHOOK_TOKEN: TOKEN } });
});

afterAll(async () => {
  await medic?.stop();
  await redis?.stop();
});

async function jobsEnqueued(): Promise<number> {
  const counts = await medic.runtime.ingestQueue.queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'completed',
    'failed',
  );
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

describe('POST /v1/webhooks/alertmanager', () => {
  it('accepts a payload, answers 202 with the incident id, and the incident appears', async () => {
    const payload = webhookPayload([podAlert('shop', 'checkout-7d9f8b6c5-x2x7q')]);
    const response = await medic.post('/v1/webhooks/alertmanager', payload, auth);
    expect(response.status).toBe(202);
    const body = response.body as { accepted: number; incidents: string[] };
    expect(body.accepted).toBe(1);
    expect(body.incidents).toHaveLength(1);
    await settle(medic);
    const incident = await medic.runtime.store.get(body.incidents[0] ?? '');
    expect(incident?.title).toBe('KubePodCrashLooping on Deployment/checkout');
    expect(incident?.namespace).toBe('shop');
    // No cluster is configured here, so the drafter can only escalate to a person.
    expect(incident?.state).toBe('escalated');
    expect((await medic.runtime.store.draft(incident?.id ?? ''))?.draft.playbook).toBe('escalate');
  });

  it('accepts unknown extra fields that newer Alertmanager releases send', async () => {
    const payload = {
      ...webhookPayload([podAlert('extras', 'api-0')]),
      notification_reason: 'new',
      routeLabels: { team: 'a' },
    };
    const response = await medic.post('/v1/webhooks/alertmanager', payload, auth);
    expect(response.status).toBe(202);
  });

  it('the same payload posted 20 times gives one incident with each alert counted once', async () => {
    const payload = webhookPayload([
      podAlert('dup', 'cart-6b7c8d9f5-qqqqq', { alertname: 'KubePodCrashLooping' }),
      podAlert('dup', 'cart-6b7c8d9f5-bbbbb', { alertname: 'KubePodCrashLooping' }),
      podAlert('dup', 'cart-6b7c8d9f5-ccccc', { alertname: 'ContainerOOMKilled' }),
    ]);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => medic.post('/v1/webhooks/alertmanager', payload, auth)),
    );
    expect(responses.every((response) => response.status === 202)).toBe(true);
    const ids = new Set(
      responses.flatMap((response) => (response.body as { incidents: string[] }).incidents),
    );
    expect(ids.size).toBe(1);
    await settle(medic);
    const incidents = (await medic.incidents()).filter((incident) => incident['namespace'] === 'dup');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.['alertCount']).toBe(3);
    const alerts = await medic.runtime.store.alerts(String(incidents[0]?.['id']));
    expect(alerts.map((alert) => alert.fingerprint).sort()).toEqual(
      payload.alerts.map((alert) => alert.fingerprint).sort(),
    );
    const received = (await medic.runtime.store.read({ incident: String(incidents[0]?.['id']) }))
      .filter((event) => event.type === 'alerts.received')
      .reduce((sum, event) => sum + Number(event.data['count']), 0);
    expect(received).toBe(3);
  });

  it('a storm of 2,000 alerts for one workload in 20 payloads is one incident', async () => {
    const payloads = Array.from({ length: 20 }, (_, p) =>
      webhookPayload(
        Array.from({ length: 100 }, (_, i) =>
          podAlert(
            'storm',
            `search-7f8b9c6d5-${'bcdfghjklm'[Math.floor(i / 10)]}${'bcdfghjklm'[i % 10]}x${'2456789bcd'[p % 10]}z`,
            {
              alertname: `StormAlert${p}`,
            },
          ),
        ),
      ),
    );
    const responses = await Promise.all(
      payloads.map((payload) => medic.post('/v1/webhooks/alertmanager', payload, auth)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(202));
    await settle(medic);
    const incidents = (await medic.incidents()).filter((incident) => incident['namespace'] === 'storm');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.['alertCount']).toBe(2000);
  });

  it('alerts for 50 different workloads give 50 incidents', async () => {
    const payload = webhookPayload(
      Array.from({ length: 50 }, (_, i) => ({ labels: { namespace: 'fleet', deployment: `svc-${i}` } })),
    );
    const response = await medic.post('/v1/webhooks/alertmanager', payload, auth);
    expect(response.status).toBe(202);
    expect((response.body as { incidents: string[] }).incidents).toHaveLength(50);
    await settle(medic);
    const incidents = (await medic.incidents()).filter((incident) => incident['namespace'] === 'fleet');
    expect(incidents).toHaveLength(50);
  });

  it('resolving every alert closes an incident nothing was done for; firing again joins a new one', async () => {
    const firing = webhookPayload([podAlert('life', 'worker-0'), podAlert('life', 'worker-1')]);
    const opened = await medic.post('/v1/webhooks/alertmanager', firing, auth);
    const id = (opened.body as { incidents: string[] }).incidents[0] ?? '';
    await settle(medic);
    const half = webhookPayload([podAlert('life', 'worker-0', { status: 'resolved' })], 'resolved');
    await medic.post('/v1/webhooks/alertmanager', half, auth);
    await settle(medic);
    expect((await medic.runtime.store.get(id))?.state).toBe('escalated');
    const rest = webhookPayload([podAlert('life', 'worker-1', { status: 'resolved' })], 'resolved');
    const resolved = await medic.post('/v1/webhooks/alertmanager', rest, auth);
    expect((resolved.body as { incidents: string[] }).incidents).toEqual([id]);
    await settle(medic);
    const incident = await medic.runtime.store.get(id);
    expect(incident?.state).toBe('resolved');
    expect(incident?.resolvedAt).not.toBeNull();
    const refire = webhookPayload([podAlert('life', 'worker-0', { startsAt: '2026-11-25T11:00:00Z' })]);
    const again = await medic.post('/v1/webhooks/alertmanager', refire, auth);
    expect((again.body as { incidents: string[] }).incidents[0]).not.toBe(id);
  });
});

describe('bad input gets a 4xx naming the problem, enqueues nothing, and the server keeps serving', () => {
  const big = 'x'.repeat(100 * 1024);
  const tenThousandLabels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, 'v']));
  const valid = () => webhookPayload([podAlert('bad', 'api-0')]);
  const cases: Array<{
    name: string;
    body: unknown;
    headers?: Record<string, string>;
    status: number;
    field: RegExp;
  }> = [
    { name: 'malformed JSON', body: '{"version": "4", "alerts": [', status: 400, field: /body/ },
    { name: 'version "3"', body: { ...valid(), version: '3' }, status: 400, field: /^version$/ },
    { name: 'missing alerts', body: { ...valid(), alerts: undefined }, status: 400, field: /^alerts$/ },
    { name: 'empty alerts', body: { ...valid(), alerts: [] }, status: 400, field: /^alerts$/ },
    {
      name: 'wrong types',
      body: { ...valid(), alerts: [{ ...valid().alerts[0], labels: { alertname: 5 } }] },
      status: 400,
      field: /^alerts\[0\]\.labels\.alertname$/,
    },
    {
      name: 'an invalid date',
      body: { ...valid(), alerts: [{ ...valid().alerts[0], startsAt: 'yesterday' }] },
      status: 400,
      field: /^alerts\[0\]\.startsAt$/,
    },
    {
      name: 'a 2 MiB body',
      body: { ...valid(), padding: 'y'.repeat(2 * 1024 * 1024) },
      status: 413,
      field: /body/,
    },
    {
      name: '10,000 labels on one alert',
      body: {
        ...valid(),
        alerts: [{ ...valid().alerts[0], labels: { alertname: 'X', ...tenThousandLabels } }],
      },
      status: 400,
      field: /^alerts\[0\]\.labels$/,
    },
    {
      name: 'a 100 KB label value',
      body: { ...valid(), alerts: [{ ...valid().alerts[0], labels: { alertname: 'X', huge: big } }] },
      status: 400,
      field: /^alerts\[0\]\.labels\.huge$/,
    },
    { name: 'a missing token', body: valid(), headers: {}, status: 401, field: /authorization/ },
    {
      name: 'a wrong token',
      body: valid(),
      headers: { authorization: 'Bearer nope' },
      status: 401,
      field: /authorization/,
    },
  ];

  for (const testCase of cases) {
    it(`rejects ${testCase.name}`, async () => {
      const before = await jobsEnqueued();
      const response = await medic.post('/v1/webhooks/alertmanager', testCase.body, testCase.headers ?? auth);
      expect(response.status).toBe(testCase.status);
      const error = (response.body as { error: { code: string; field: string; message: string } }).error;
      expect(error.code).toMatch(/^MEDIC_E_/);
      expect(error.field).toMatch(testCase.field);
      expect(error.message.length).toBeGreaterThan(0);
      expect(await jobsEnqueued()).toBe(before);
      expect((await medic.get('/healthz')).status).toBe(200);
    });
  }
});
