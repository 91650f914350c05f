import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startMedic, type TestMedic } from '../support/medic.js';
import { podAlert, webhookPayload } from '../support/payloads.js';
import { ThrowawayRedis } from '../support/redis.js';

const API = 'api-token-for-tests';
const auth = { authorization: `Bearer ${API}` };
let redis: ThrowawayRedis;
let medic: TestMedic;
let resolvedId = '';

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  medic = await startMedic({ redisUrl: redis.url, env: { MEDIC_API_TOKEN: API } });
  for (let i = 0; i < 7; i += 1) {
    await medic.post(
      '/v1/webhooks/alertmanager',
      webhookPayload([{ labels: { namespace: 'pages', deployment: `svc-${i}` } }]),
    );
  }
  const opened = await medic.post('/v1/webhooks/alertmanager', webhookPayload([podAlert('pages', 'gone-0')]));
  resolvedId = (opened.body as { incidents: string[] }).incidents[0] ?? '';
  await settle(medic);
  await medic.post(
    '/v1/webhooks/alertmanager',
    webhookPayload([podAlert('pages', 'gone-0', { status: 'resolved' })], 'resolved'),
  );
  await settle(medic);
});

afterAll(async () => {
  await medic?.stop();
  await redis?.stop();
});

describe('GET /v1/incidents', () => {
  it('requires the API token when MEDIC_API_TOKEN is set', async () => {
    expect((await medic.get('/v1/incidents')).status).toBe(401);
    expect((await medic.get('/v1/incidents', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await medic.get(`/v1/incidents/${resolvedId}`)).status).toBe(401);
    expect((await medic.get('/v1/incidents', auth)).status).toBe(200);
  });

  it('pages through every incident exactly once, newest first', async () => {
    const seen: string[] = [];
    const openedAts: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
      const page = (await medic.get(`/v1/incidents${query}`, auth)).body as {
        incidents: Array<{ id: string; openedAt: string }>;
        nextCursor: string | null;
      };
      expect(page.incidents.length).toBeLessThanOrEqual(3);
      seen.push(...page.incidents.map((incident) => incident.id));
      openedAts.push(...page.incidents.map((incident) => incident.openedAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect([...openedAts].sort().reverse()).toEqual(openedAts);
  });

  it('filters by state and time', async () => {
    const resolved = (await medic.get('/v1/incidents?state=resolved', auth)).body as {
      incidents: Array<{ id: string }>;
    };
    expect(resolved.incidents.map((incident) => incident.id)).toEqual([resolvedId]);
    // With no cluster configured every firing incident ends escalated to a person.
    const open = (await medic.get('/v1/incidents?state=open,escalated', auth)).body as {
      incidents: unknown[];
    };
    expect(open.incidents).toHaveLength(7);
    const future = (await medic.get('/v1/incidents?since=2999-01-01T00:00:00Z', auth)).body as {
      incidents: unknown[];
    };
    expect(future.incidents).toHaveLength(0);
  });

  it('names the bad query field', async () => {
    const badState = await medic.get('/v1/incidents?state=sleeping', auth);
    expect(badState.status).toBe(400);
    expect((badState.body as { error: { field: string } }).error.field).toMatch(/^query\.state/);
    const badLimit = await medic.get('/v1/incidents?limit=0', auth);
    expect((badLimit.body as { error: { field: string } }).error.field).toBe('query.limit');
    const badSince = await medic.get('/v1/incidents?since=tuesday', auth);
    expect((badSince.body as { error: { field: string } }).error.field).toBe('query.since');
    const badCursor = await medic.get('/v1/incidents?cursor=garbage', auth);
    expect(badCursor.status).toBe(400);
    expect((badCursor.body as { error: { field: string } }).error.field).toBe('cursor');
  });
});

describe('GET /v1/incidents/:id', () => {
  it('returns the incident with its alerts and its timeline from the audit log', async () => {
    const response = await medic.get(`/v1/incidents/${resolvedId}`, auth);
    expect(response.status).toBe(200);
    const body = response.body as {
      incident: { state: string };
      alerts: Array<{ status: string }>;
      evidence: { sources: Array<{ state: string }> } | null;
      timeline: Array<{ type: string; seq: number; hash: string }>;
    };
    expect(body.incident.state).toBe('resolved');
    expect(body.alerts.map((alert) => alert.status)).toEqual(['resolved']);
    expect(
      body.timeline.filter((event) => /^(incident|alerts)\./.test(event.type)).map((event) => event.type),
    ).toEqual(['incident.opened', 'alerts.received', 'alerts.received', 'incident.resolved']);
    // Retrieval ran once after gather, against an empty memory.
    expect(body.timeline.filter((event) => event.type === 'similar.retrieved')).toHaveLength(1);
    // The gather stage ran once: one event per source, then the summary.
    expect(
      body.timeline.filter((event) => event.type.startsWith('evidence.')).map((event) => event.type),
    ).toEqual([
      'evidence.source',
      'evidence.source',
      'evidence.source',
      'evidence.source',
      'evidence.collected',
    ]);
    expect(body.evidence?.sources.map((source) => source.state)).toEqual([
      'unconfigured',
      'unconfigured',
      'unconfigured',
      'unconfigured',
    ]);
    expect(body.timeline.every((event) => /^[0-9a-f]{64}$/.test(event.hash))).toBe(true);
  });

  it('404s with a JSON error for an unknown id', async () => {
    const response = await medic.get('/v1/incidents/inc-nope', auth);
    expect(response.status).toBe(404);
    expect((response.body as { error: { code: string } }).error.code).toBe('MEDIC_E_NOT_FOUND');
  });
});

describe('observability', () => {
  it('serves medic_ metrics in Prometheus text format', async () => {
    const response = await fetch(`${medic.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/medic_webhook_requests_total\{code="202"\} 9/);
    expect(text).toMatch(/medic_alerts_received_total\{status="firing",outcome="accepted"\} 8/);
    expect(text).toMatch(/medic_incidents\{state="escalated"\} 7/);
    expect(text).toMatch(/medic_incidents\{state="resolved"\} 1/);
    expect(text).toMatch(/medic_queue_jobs\{stage="correlate",state="completed"\} \d+/);
    expect(text).toMatch(/medic_ingest_latency_ms_bucket/);
    expect(text).toMatch(/medic_job_duration_seconds_count\{stage="correlate",outcome="ok"\} \d+/);
  });

  it('reports each dependency in /readyz', async () => {
    const response = await medic.get('/readyz');
    expect(response.status).toBe(200);
    const body = response.body as { dependencies: Array<{ name: string; state: string }> };
    const states = Object.fromEntries(body.dependencies.map((d) => [d.name, d.state]));
    expect(states).toMatchObject({
      redis: 'ok',
      sqlite: 'ok',
      prometheus: 'disabled',
      elasticsearch: 'disabled',
      traces: 'disabled',
    });
  });
});
