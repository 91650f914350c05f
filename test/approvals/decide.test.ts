import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { decide } from '../../src/pipeline/approve.js';
import { defaultPolicy } from '../../src/policy/policy-schema.js';
import { seedAwaitingApproval } from './seed.js';

let store: SqliteStore | undefined;
afterEach(async () => store?.close());

it('refuses a decision made on a plan the incident no longer has, and audits it', async () => {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'medic-decide-')), 'medic.db'));
  const plan = await seedAwaitingApproval(store, 'inc-stale');
  const deps = {
    store,
    clock: { now: () => new Date() },
    logger: createLogger('silent'),
    policy: defaultPolicy(),
  };
  const request = { decision: 'approve' as const, by: 'alice', via: 'slack' as const, reason: null };
  const stale = await decide('inc-stale', { ...request, planId: 'inc-stale-older-plan' }, deps);
  expect(stale).toMatchObject({ status: 'refused' });
  expect(stale.reason).toContain(`current plan is ${plan.id}`);
  expect((await store.get('inc-stale'))?.state).toBe('awaiting-approval');
  expect((await store.read({ incident: 'inc-stale' })).map((e) => e.type)).toEqual(['approval.refused']);
  const current = await decide('inc-stale', { ...request, planId: plan.id }, deps);
  expect(current).toMatchObject({ status: 'approved' });
});
