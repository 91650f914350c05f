import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAwaitingApproval } from '../approvals/seed.js';
import { waitFor } from '../support/ports.js';
import { clickBody, type Harness, seedContext, sign, startHarness, USERS } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const store = () => h.medic.runtime.store;
const state = async (id: string) => (await store().get(id))?.state;
const audit = async (id: string) => store().read({ incident: id });
const executeJobs = async (id: string) => {
  const queue = h.medic.runtime.stages.queues.get('execute');
  const jobs = (await queue?.getJobs(['waiting', 'delayed', 'active', 'completed'])) ?? [];
  return jobs.filter((job) => (job.data as { incidentId?: string }).incidentId === id);
};
const blocksOf = (args: Record<string, unknown>) => args['blocks'] as Array<Record<string, unknown>>;
const textOf = (args: Record<string, unknown>) => JSON.stringify(args['blocks'] ?? []);
const updatesFor = (ts: string) => h.slack.called('chat.update').filter((call) => call.args['ts'] === ts);

/** Seeds an incident, asks for approval, and waits for its card; returns the card's ts. */
async function postedCard(id: string, options: Parameters<typeof seedAwaitingApproval>[2] = {}) {
  const plan = await seedAwaitingApproval(store(), id, options);
  await seedContext(store(), id);
  await h.setup.channel.requestApproval(plan);
  const post = await waitFor('the card to be posted', async () =>
    h.slack.called('chat.postMessage').find((call) => textOf(call.args).includes(id)),
  );
  const ts = await waitFor('the card ref to be saved', async () => {
    const ref = (await store().setting(`slack.card.${id}`)) as { ts?: string } | null;
    return ref?.ts;
  });
  return { plan, post, ts };
}

describe('the approval card over a Slack stand-in', () => {
  it('posts a Block Kit card with the numbers, the diff and the three buttons', async () => {
    const { post } = await postedCard('inc-slack-card');
    expect(post.args['channel']).toBe('C0APPROVALS');
    expect(String(post.args['text']).length).toBeGreaterThan(0);
    const blocks = blocksOf(post.args);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]?.['type']).toBe('header');
    const actions = blocks.find((block) => block['type'] === 'actions') as {
      elements: Array<Record<string, unknown>>;
    };
    expect(actions.elements.map((e) => e['action_id'])).toEqual([
      'medic_approve',
      'medic_reject',
      'medic_escalate',
    ]);
    const text = textOf(post.args);
    expect(text).toContain('498Mi of 512Mi limit (97%)');
    expect(text).toContain('+6 in 20 min');
    expect(text).toContain('+  replicas: 4');
    expect(text).toContain('raise-memory-limit');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });
});

describe('signed interactions', () => {
  it('approves on a valid click, enqueues one execution, updates the card and replies in the thread', async () => {
    const { plan, ts } = await postedCard('inc-slack-ok');
    const body = clickBody(
      'medic_approve',
      { incidentId: plan.incidentId, planId: plan.id },
      USERS.alice,
      ts,
    );
    const answer = await h.click(body);
    expect(answer.status).toBe(200);
    await waitFor('the incident to be approved', async () => (await state('inc-slack-ok')) === 'approved');
    const update = await waitFor('the card update', async () =>
      updatesFor(ts).find((call) => textOf(call.args).includes('Approved')),
    );
    expect(textOf(update.args)).toContain(`<@${USERS.alice}>`);
    expect(blocksOf(update.args).some((block) => block['type'] === 'actions')).toBe(false);
    await waitFor('the thread reply', async () =>
      h.slack.called('chat.postMessage').find((call) => call.args['thread_ts'] === ts),
    );
    expect(await executeJobs('inc-slack-ok')).toHaveLength(1);
    const recorded = (await audit('inc-slack-ok')).find((event) => event.type === 'approval.recorded');
    expect(recorded?.data).toMatchObject({
      via: 'slack',
      by: `slack:${USERS.alice}:${USERS.alice.toLowerCase()}`,
    });
  });

  it('answers 401 to a bad signature, a stale timestamp and a missing header, and does nothing', async () => {
    const plan = await seedAwaitingApproval(store(), 'inc-slack-401');
    const body = clickBody('medic_approve', { incidentId: plan.incidentId, planId: plan.id }, USERS.alice);
    const now = Math.floor(Date.now() / 1000);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const bad = await h.click(body, {
      ...form,
      'x-slack-request-timestamp': String(now),
      'x-slack-signature': sign(body, now, 'wrong-secret'),
    });
    const stale = await h.click(body, {
      ...form,
      'x-slack-request-timestamp': String(now - 6 * 60),
      'x-slack-signature': sign(body, now - 6 * 60),
    });
    const missing = await h.click(body, { ...form, 'x-slack-request-timestamp': String(now) });
    const tampered = await h.click(body.replace('U0ALICE', 'U0BOB'), {
      ...form,
      'x-slack-request-timestamp': String(now),
      'x-slack-signature': sign(body, now),
    });
    expect([bad.status, stale.status, missing.status, tampered.status]).toEqual([401, 401, 401, 401]);
    expect(JSON.parse(bad.body)).toMatchObject({
      error: { code: 'MEDIC_E_UNAUTHORIZED', field: 'x-slack-signature' },
    });
    expect(await state('inc-slack-401')).toBe('awaiting-approval');
    expect(await audit('inc-slack-401')).toEqual([]);
  });

  it('answers 400 naming the field for an unknown action', async () => {
    const body = clickBody('medic_delete_cluster', { incidentId: 'x', planId: 'y' }, USERS.alice);
    const answer = await h.click(body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { field: 'payload.actions[0].action_id' } });
  });

  it('refuses a non-approver, audits it with the Slack user and tells them privately', async () => {
    const { plan, ts } = await postedCard('inc-slack-mallory');
    await h.click(
      clickBody('medic_approve', { incidentId: plan.incidentId, planId: plan.id }, USERS.mallory, ts),
    );
    const ephemeral = await waitFor('the ephemeral note', async () =>
      h.slack.called('chat.postEphemeral').find((call) => call.args['user'] === USERS.mallory),
    );
    expect(String(ephemeral.args['text'])).toContain('is not an approver');
    const refused = (await audit('inc-slack-mallory')).find((event) => event.type === 'approval.refused');
    expect(refused?.data).toMatchObject({ via: 'slack', by: `slack:${USERS.mallory}:u0mallory` });
    expect(await state('inc-slack-mallory')).toBe('awaiting-approval');
  });

  it('turns an expired card into "expired" and does nothing', async () => {
    const { plan, ts } = await postedCard('inc-slack-expired', {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await h.click(
      clickBody('medic_approve', { incidentId: plan.incidentId, planId: plan.id }, USERS.alice, ts),
    );
    const update = await waitFor('the expired card', async () =>
      updatesFor(ts).find((call) => textOf(call.args).includes('Expired')),
    );
    expect(blocksOf(update.args).some((block) => block['type'] === 'actions')).toBe(false);
    expect(await state('inc-slack-expired')).toBe('awaiting-approval');
    expect(await executeJobs('inc-slack-expired')).toHaveLength(0);
    expect((await audit('inc-slack-expired')).map((event) => event.type)).toEqual(['approval.refused']);
  });

  it('treats a second click as a duplicate: one approval, one execution', async () => {
    const { plan, ts } = await postedCard('inc-slack-double');
    const body = clickBody(
      'medic_approve',
      { incidentId: plan.incidentId, planId: plan.id },
      USERS.alice,
      ts,
    );
    await Promise.all([h.click(body), h.click(body)]);
    await waitFor('both clicks to be audited', async () => (await audit('inc-slack-double')).length >= 3);
    expect((await audit('inc-slack-double')).map((event) => event.type)).toEqual([
      'approval.recorded',
      'incident.approved',
      'approval.ignored',
    ]);
    expect(await store().approvals(plan.id)).toHaveLength(1);
    expect(await executeJobs('inc-slack-double')).toHaveLength(1);
  });

  it('needs two distinct approvers for high risk', async () => {
    const { plan, ts } = await postedCard('inc-slack-high', { risk: 'high', approvers: 2 });
    const value = { incidentId: plan.incidentId, planId: plan.id };
    await h.click(clickBody('medic_approve', value, USERS.alice, ts));
    await waitFor('the waiting card', async () =>
      updatesFor(ts).find((call) => textOf(call.args).includes('Waiting for a second approver')),
    );
    await h.click(clickBody('medic_approve', value, USERS.alice, ts));
    await waitFor('the repeat to be ignored', async () =>
      (await audit('inc-slack-high')).some((event) => event.type === 'approval.ignored'),
    );
    expect(await state('inc-slack-high')).toBe('awaiting-approval');
    expect(await executeJobs('inc-slack-high')).toHaveLength(0);
    await h.click(clickBody('medic_approve', value, USERS.bob, ts));
    await waitFor('the second approval', async () => (await state('inc-slack-high')) === 'approved');
    expect(await executeJobs('inc-slack-high')).toHaveLength(1);
    const people = (await store().approvals(plan.id)).map((approval) => approval.by).sort();
    expect(people).toEqual(['bob', `slack:${USERS.alice}:u0alice`]);
  });

  it('rejects on the Reject button: nothing executes and the card says who rejected', async () => {
    const { plan, ts } = await postedCard('inc-slack-reject');
    await h.click(clickBody('medic_reject', { incidentId: plan.incidentId, planId: plan.id }, USERS.bob, ts));
    await waitFor('the rejection', async () => (await state('inc-slack-reject')) === 'rejected');
    await waitFor('the rejected card', async () =>
      updatesFor(ts).find((call) => textOf(call.args).includes('Rejected')),
    );
    expect(await executeJobs('inc-slack-reject')).toHaveLength(0);
  });

  it('escalates on the Escalate button, audited with the Slack user', async () => {
    const { plan, ts } = await postedCard('inc-slack-escalate');
    await h.click(
      clickBody('medic_escalate', { incidentId: plan.incidentId, planId: plan.id }, USERS.bob, ts),
    );
    await waitFor('the escalation', async () => (await state('inc-slack-escalate')) === 'escalated');
    const event = (await audit('inc-slack-escalate')).find((e) => e.type === 'incident.escalated');
    expect(event).toMatchObject({ actor: 'person/bob', data: { via: 'slack', slackUser: USERS.bob } });
    await waitFor('the escalated card', async () =>
      updatesFor(ts).find((call) => textOf(call.args).includes('Escalated')),
    );
  });
});

describe('stale cards', () => {
  it('refuses a click on a card whose plan is no longer the current one, and audits it', async () => {
    const { plan, ts } = await postedCard('inc-slack-stale');
    const value = { incidentId: plan.incidentId, planId: 'inc-slack-stale-older-plan' };
    await h.click(clickBody('medic_approve', value, USERS.alice, ts));
    const note = await waitFor('the ephemeral note', async () =>
      h.slack
        .called('chat.postEphemeral')
        .find((call) => String(call.args['text']).includes('inc-slack-stale-older-plan')),
    );
    expect(String(note.args['text'])).toContain('Use the newest card');
    expect(await state('inc-slack-stale')).toBe('awaiting-approval');
    expect(await store().approvals(plan.id)).toHaveLength(0);
    expect(await audit('inc-slack-stale')).toMatchObject([
      { type: 'approval.refused', data: { via: 'slack', plan: 'inc-slack-stale-older-plan' } },
    ]);
  });
});
