import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionState } from '../../src/domain/plan.js';
import { seedAwaitingApproval } from '../approvals/seed.js';
import { waitFor } from '../support/ports.js';
import { clickBody, type Harness, seedContext, startHarness, USERS } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const store = () => h.medic.runtime.store;
const cardsFor = (id: string) =>
  h.slack.called('chat.postMessage').filter((call) => JSON.stringify(call.args['blocks'] ?? []).includes(id));
const attemptsOf = (method: string, since: number) =>
  h.slack.attempts.filter((attempt) => attempt.method === method && attempt.at >= since);

async function seed(id: string) {
  const plan = await seedAwaitingApproval(store(), id);
  await seedContext(store(), id);
  return plan;
}

describe('Slack errors', () => {
  it('waits out a 429 for its Retry-After, then posts the card once', async () => {
    const plan = await seed('inc-slack-429');
    const since = Date.now();
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await h.setup.channel.requestApproval(plan);
    await waitFor('the card after the 429', async () => cardsFor('inc-slack-429').length > 0);
    const [limited, posted] = attemptsOf('chat.postMessage', since);
    expect(limited?.status).toBe(429);
    expect(posted?.status).toBe(200);
    // Honouring Retry-After is the behaviour under test, not a speed claim.
    expect((posted?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(cardsFor('inc-slack-429')).toHaveLength(1);
  });

  it('retries 500s with backoff and posts the card once', async () => {
    const plan = await seed('inc-slack-500');
    const since = Date.now();
    h.slack.failNext('chat.postMessage', { status: 500 }, 3);
    await h.setup.channel.requestApproval(plan);
    await waitFor('the card after the 500s', async () => cardsFor('inc-slack-500').length > 0);
    expect(attemptsOf('chat.postMessage', since).map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(cardsFor('inc-slack-500')).toHaveLength(1);
  });

  it('keeps the incident approvable over HTTP while Slack is down, and posts the card when it is back', async () => {
    const plan = await seed('inc-slack-down');
    h.slack.setDown(true);
    await h.setup.channel.requestApproval(plan);
    await waitFor('a failed attempt', async () =>
      h.slack.attempts.some((attempt) => attempt.method === 'chat.postMessage' && attempt.status === 503),
    );
    const answer = await h.medic.post('/v1/incidents/inc-slack-down/approve', { by: 'alice' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'approved' });
    expect(cardsFor('inc-slack-down')).toHaveLength(0);
    h.slack.setDown(false);
    await waitFor('the card once Slack is back', async () => cardsFor('inc-slack-down').length > 0);
    expect(JSON.stringify(cardsFor('inc-slack-down')[0]?.args['blocks'])).toContain('Approved');
  });
});

describe('lifecycle', () => {
  async function move(id: string, state: 'executing' | 'rolled-back', execution: ExecutionState | null) {
    const plan = await store().latestPlan(id);
    await store().transaction(async (tx) => {
      const incident = await tx.getIncident(id);
      if (!incident || !plan) throw new Error('seeded incident missing');
      await tx.updateIncident({ ...incident, state, updatedAt: new Date().toISOString() });
      if (execution) {
        await tx.saveExecution({
          planId: plan.id,
          incidentId: id,
          idempotencyKey: 'k1',
          state: execution,
          nextStep: 1,
          preState: [],
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          finishedAt: execution === 'rolled-back' ? new Date().toISOString() : null,
          error: execution === 'rolled-back' ? 'verification failed: restarts still rising' : null,
          verification: ['restarts: 4 → 9 in 5 min (rising)'],
        });
      }
    });
    await h.setup.channel.incidentChanged(id);
  }

  it('follows the incident: approved → executing → rolled back ⚠️, with the details in the thread', async () => {
    const plan = await seed('inc-slack-life');
    await h.setup.channel.requestApproval(plan);
    const ts = await waitFor(
      'the card',
      async () =>
        cardsFor('inc-slack-life')[0]?.args['ts'] ??
        ((await store().setting('slack.card.inc-slack-life')) as { ts?: string } | null)?.ts,
    );
    await h.medic.post('/v1/incidents/inc-slack-life/approve', { by: 'alice' });
    await h.setup.channel.incidentChanged('inc-slack-life');
    const updates = () => h.slack.called('chat.update').filter((call) => call.args['ts'] === ts);
    const has = (text: string) =>
      updates().some((call) => JSON.stringify(call.args['blocks']).includes(text));
    await waitFor('approved', async () => has('Approved'));
    await move('inc-slack-life', 'executing', 'applying');
    await waitFor('executing', async () => has('Executing'));
    await move('inc-slack-life', 'rolled-back', 'rolled-back');
    await waitFor('rolled back', async () => has('Rolled back'));
    const reply = await waitFor('the execution details', async () =>
      h.slack.called('chat.postMessage').find((call) => call.args['thread_ts'] === ts),
    );
    expect(String(reply.args['text'])).toContain('restarts: 4 → 9 in 5 min');
    expect(String(reply.args['text'])).toContain('verification failed');
    // A further change does not repeat the thread reply.
    await h.setup.channel.incidentChanged('inc-slack-life');
    await waitFor('the extra update', async () => updates().length >= 4);
    expect(h.slack.called('chat.postMessage').filter((call) => call.args['thread_ts'] === ts)).toHaveLength(
      1,
    );
  });
});

describe('reconcile', () => {
  it('requests a card for an incident waiting for approval that never got one, and only once', async () => {
    await seed('inc-slack-lost');
    expect(cardsFor('inc-slack-lost')).toHaveLength(0);
    expect(await h.setup.reconcile()).toBeGreaterThanOrEqual(1);
    await waitFor('the recovered card', async () => cardsFor('inc-slack-lost').length > 0);
    await waitFor('the card ref', async () => store().setting('slack.card.inc-slack-lost'));
    const again = await h.setup.reconcile();
    await h.setup.channel.incidentChanged('inc-slack-lost');
    await waitFor('a later update', async () =>
      h.slack
        .called('chat.update')
        .some((call) => JSON.stringify(call.args['blocks']).includes('inc-slack-lost')),
    );
    expect(cardsFor('inc-slack-lost')).toHaveLength(1);
    expect(again).toBe(0);
  });
});

describe('Redis down at click time', () => {
  it('answers 503 so the click is not silently lost, and accepts clicks again once Redis is back', async () => {
    const plan = await seed('inc-slack-redis');
    const body = clickBody('medic_approve', { incidentId: plan.incidentId, planId: plan.id }, USERS.alice);
    await h.redis.stop();
    const refused = await h.click(body);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'MEDIC_E_QUEUE_UNAVAILABLE' } });
    await h.redis.restart();
    await waitFor('the click to be accepted', async () => (await h.click(body)).status === 200);
    await waitFor('the approval', async () => (await store().get('inc-slack-redis'))?.state === 'approved');
  });
});
