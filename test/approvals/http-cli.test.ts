import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../stores/fixtures.js';
import { startMedic, type TestMedic } from '../support/medic.js';
import { ThrowawayRedis } from '../support/redis.js';
import { seedAwaitingApproval } from './seed.js';

const ALICE_TOKEN = 'alice-token-0123456789';
const BOB_TOKEN = 'bob-token-0123456789ab';
let redis: ThrowawayRedis;
let medic: TestMedic;
let policy = '';

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  const dir = mkdtempSync(join(tmpdir(), 'medic-policy-'));
  policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'approvals:\n  approvers:\n    names: [alice, bob, carol]\n');
  medic = await startMedic({
    redisUrl: redis.url,
    env: { MEDIC_POLICY: policy },
    withWorkers: false,
  });
});

afterAll(async () => {
  await medic?.stop();
  await redis?.stop();
});

const state = async (id: string) => (await medic.runtime.store.get(id))?.state;
const auditTypes = async (id: string) =>
  (await medic.runtime.store.read({ incident: id })).map((event) => event.type);
const executeJobs = async () => {
  const queue = medic.runtime.stages.queues.get('execute');
  return (await queue?.getJobs(['waiting', 'delayed', 'active'])) ?? [];
};

describe('approvals over HTTP', () => {
  it('approves once, enqueues one execution, and treats a second click as a duplicate', async () => {
    const plan = await seedAwaitingApproval(medic.runtime.store, 'inc-http-1');
    const before = (await executeJobs()).length;
    const first = await medic.post('/v1/incidents/inc-http-1/approve', {
      by: 'alice',
      reason: 'looks right',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'approved', approvals: 1, required: 1, planId: plan.id });
    const again = await medic.post('/v1/incidents/inc-http-1/approve', { by: 'alice' });
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect(await state('inc-http-1')).toBe('approved');
    const jobs = (await executeJobs()).filter(
      (job) => (job.data as { incidentId?: string }).incidentId === 'inc-http-1',
    );
    expect(jobs.length - before).toBe(1);
    expect(await auditTypes('inc-http-1')).toEqual([
      'approval.recorded',
      'incident.approved',
      'approval.ignored',
    ]);
  });

  it('needs two distinct people for a high-risk plan', async () => {
    await seedAwaitingApproval(medic.runtime.store, 'inc-http-2', { risk: 'high', approvers: 2 });
    expect((await medic.post('/v1/incidents/inc-http-2/approve', { by: 'alice' })).status).toBe(202);
    expect((await medic.post('/v1/incidents/inc-http-2/approve', { by: 'alice' })).body).toMatchObject({
      status: 'duplicate',
      approvals: 1,
    });
    expect(await state('inc-http-2')).toBe('awaiting-approval');
    const second = await medic.post('/v1/incidents/inc-http-2/approve', { by: 'bob' });
    expect(second.body).toMatchObject({ status: 'approved', approvals: 2, required: 2 });
    expect(await state('inc-http-2')).toBe('approved');
  });

  it('refuses an expired plan and a person who is not an approver, and audits both', async () => {
    await seedAwaitingApproval(medic.runtime.store, 'inc-http-3', {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const expired = await medic.post('/v1/incidents/inc-http-3/approve', { by: 'alice' });
    expect(expired.status).toBe(403);
    expect((expired.body as { reason: string }).reason).toMatch(/expired/);
    await seedAwaitingApproval(medic.runtime.store, 'inc-http-4');
    const stranger = await medic.post('/v1/incidents/inc-http-4/approve', { by: 'mallory' });
    expect(stranger.status).toBe(403);
    expect((stranger.body as { reason: string }).reason).toBe('mallory is not an approver');
    expect(await state('inc-http-3')).toBe('awaiting-approval');
    expect(await state('inc-http-4')).toBe('awaiting-approval');
    expect(await auditTypes('inc-http-4')).toEqual(['approval.refused']);
  });

  it('rejects, and names the field when the request is bad', async () => {
    await seedAwaitingApproval(medic.runtime.store, 'inc-http-5');
    const missing = await medic.post('/v1/incidents/inc-http-5/reject', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { code: 'MEDIC_E_BAD_REQUEST', field: 'body.by' } });
    const unknownField = await medic.post('/v1/incidents/inc-http-5/reject', { by: 'bob', why: 'x' });
    expect(unknownField.status).toBe(400);
    expect((await medic.post('/v1/incidents/nope/approve', { by: 'bob' })).status).toBe(404);
    const rejected = await medic.post('/v1/incidents/inc-http-5/reject', {
      by: 'bob',
      reason: 'wrong target',
    });
    expect(rejected.body).toMatchObject({ status: 'rejected' });
    expect(await state('inc-http-5')).toBe('rejected');
  });

  it('flips the kill switch over HTTP and audits who did it', async () => {
    expect((await medic.get('/v1/pause')).body).toEqual({ paused: false, source: null });
    expect((await medic.post('/v1/pause', { by: 'carol', reason: 'db migration' })).body).toEqual({
      paused: true,
      source: 'switch',
    });
    expect((await medic.get('/v1/pause')).body).toMatchObject({ paused: true });
    await medic.post('/v1/resume', { by: 'carol' });
    expect((await medic.get('/v1/pause')).body).toMatchObject({ paused: false });
    const events = await medic.runtime.store.read({});
    expect(events.filter((e) => e.type.startsWith('execution.')).map((e) => [e.type, e.actor])).toEqual([
      ['execution.paused', 'person/carol'],
      ['execution.resumed', 'person/carol'],
    ]);
  });
});

describe('approvals from the CLI', () => {
  it('approves as the named person and fails with a non-zero exit when refused', async () => {
    await seedAwaitingApproval(medic.runtime.store, 'inc-cli-1');
    const env = { ...medic.cliEnv, MEDIC_POLICY: policy };
    const refused = await runCli(['approve', 'inc-cli-1', '--as', 'mallory'], env);
    expect(refused.code, `${refused.stdout}\n${refused.stderr}`).toBe(1);
    expect(refused.stderr).toContain('MEDIC_E_APPROVAL_REFUSED');
    const ok = await runCli(['approve', 'inc-cli-1', '--as', 'carol', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'approved' });
    expect(await state('inc-cli-1')).toBe('approved');
    const approvals = await medic.runtime.store.approvals('inc-cli-1-plan');
    expect(approvals.map((a) => [a.by, a.via])).toEqual([['carol', 'cli']]);
  });
});

describe('approver tokens', () => {
  let tokened: TestMedic;

  beforeAll(async () => {
    tokened = await startMedic({
      redisUrl: redis.url,
      withWorkers: false,
      overrides: { approvals: { tokens: { [ALICE_TOKEN]: 'alice', [BOB_TOKEN]: 'bob' } } },
    });
  });

  afterAll(async () => {
    await tokened?.stop();
  });

  it('takes the approver from the token and refuses an unknown token or a mismatched name', async () => {
    await seedAwaitingApproval(tokened.runtime.store, 'inc-tok-1');
    const path = '/v1/incidents/inc-tok-1/approve';
    expect((await tokened.post(path, {}, { authorization: 'Bearer not-a-known-token-00' })).status).toBe(401);
    const mismatch = await tokened.post(path, { by: 'bob' }, { authorization: `Bearer ${ALICE_TOKEN}` });
    expect(mismatch.status).toBe(400);
    const ok = await tokened.post(path, {}, { authorization: `Bearer ${ALICE_TOKEN}` });
    expect(ok.body).toMatchObject({ status: 'approved' });
    expect((await tokened.runtime.store.approvals('inc-tok-1-plan')).map((a) => a.by)).toEqual(['alice']);
    expect((await tokened.get('/v1/pause')).status).toBe(401);
    expect((await tokened.get('/v1/pause', { authorization: `Bearer ${BOB_TOKEN}` })).body).toMatchObject({
      paused: false,
    });
  });
});
