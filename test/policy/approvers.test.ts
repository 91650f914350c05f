import { describe, expect, it } from 'vitest';
import { isApprover } from '../../src/policy/approvers.js';
import { withPolicy } from './fixtures.js';

describe('isApprover', () => {
  it('lets anyone authenticated approve when no approvers are listed', () => {
    const policy = withPolicy(() => {});
    expect(isApprover(policy, { name: 'alice' })).toBe(true);
    expect(isApprover(policy, { slackUser: 'U012ABCDEF' })).toBe(true);
    expect(isApprover(policy, {})).toBe(false);
    expect(isApprover(policy, { name: '' })).toBe(false);
  });

  it('admits a match on any list and refuses everyone else', () => {
    const policy = withPolicy((p) => {
      p.approvals.approvers = { names: ['alice'], slackUsers: ['U0BOB'], slackGroups: ['S0SRE'] };
    });
    expect(isApprover(policy, { name: 'alice' })).toBe(true);
    expect(isApprover(policy, { slackUser: 'U0BOB' })).toBe(true);
    expect(isApprover(policy, { slackUser: 'U0CAROL', slackGroups: ['S0DEV', 'S0SRE'] })).toBe(true);
    expect(isApprover(policy, { name: 'mallory', slackUser: 'U0MAL', slackGroups: ['S0DEV'] })).toBe(false);
    expect(isApprover(policy, { name: 'U0BOB' })).toBe(false);
  });
});
