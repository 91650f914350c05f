import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { freezeRule } from '../../src/policy/rules/freeze.js';
import { guardInput } from './fixtures.js';

function frozenAt(policyYaml: string, now: string): string[] {
  return freezeRule(
    guardInput({ policy: parsePolicy(policyYaml, 'policy.yaml', 'medic'), now: new Date(now) }),
  );
}

describe('absolute freeze windows', () => {
  const policy = `
freezeWindows:
  - name: year-end
    start: "2026-12-20T00:00:00+01:00"
    end: "2027-01-04T00:00:00+01:00"
`;

  it('is in effect from start (inclusive) to end (exclusive), honouring the offset', () => {
    expect(frozenAt(policy, '2026-12-19T22:59:59Z')).toEqual([]);
    expect(frozenAt(policy, '2026-12-19T23:00:00Z')).toEqual([
      'freeze: the freeze window "year-end" is in effect (2026-12-20T00:00:00+01:00 to 2027-01-04T00:00:00+01:00)',
    ]);
    expect(frozenAt(policy, '2027-01-03T22:59:59Z')).toHaveLength(1);
    expect(frozenAt(policy, '2027-01-03T23:00:00Z')).toEqual([]);
  });

  it('denies an acting playbook during the window', () => {
    const verdict = evaluatePolicy(
      guardInput({ policy: parsePolicy(policy, 'policy.yaml'), now: new Date('2026-12-24T12:00:00Z') }),
    );
    expect(verdict.decision).toBe('denied');
    expect(verdict.reasons[0]).toMatch(/^freeze: the freeze window "year-end" is in effect/);
  });
});

describe('weekly freeze windows in a time zone', () => {
  const weekend = `
freezeWindows:
  - name: weekend
    days: [sat, sun]
    from: "00:00"
    to: "23:59"
    timezone: Europe/Berlin
`;

  it('follows the local day, not UTC', () => {
    // Friday 23:30 UTC is Saturday 00:30 in Berlin (CET, UTC+1).
    expect(frozenAt(weekend, '2026-03-06T23:30:00Z')).toEqual([
      'freeze: the freeze window "weekend" is in effect (sat, sun 00:00-23:59 Europe/Berlin)',
    ]);
    expect(frozenAt(weekend, '2026-03-06T22:59:00Z')).toEqual([]);
    // Sunday 23:30 UTC is Monday in Berlin.
    expect(frozenAt(weekend, '2026-03-08T23:30:00Z')).toEqual([]);
    expect(frozenAt(weekend, '2026-03-08T22:30:00Z')).toHaveLength(1);
  });

  it('follows daylight saving time', () => {
    const evening = `
freezeWindows:
  - name: evening
    days: [mon, tue, wed, thu, fri]
    from: "18:00"
    to: "20:00"
    timezone: America/New_York
`;
    // Winter: EST (UTC-5), 18:00 local is 23:00 UTC.
    expect(frozenAt(evening, '2026-01-14T23:00:00Z')).toHaveLength(1);
    expect(frozenAt(evening, '2026-01-14T22:59:00Z')).toEqual([]);
    // Summer: EDT (UTC-4), 18:00 local is 22:00 UTC.
    expect(frozenAt(evening, '2026-07-15T22:00:00Z')).toHaveLength(1);
    expect(frozenAt(evening, '2026-07-15T21:59:00Z')).toEqual([]);
    expect(frozenAt(evening, '2026-07-16T00:00:00Z')).toEqual([]);
  });

  it('covers whole days when `from` equals `to`', () => {
    const sunday = 'freezeWindows:\n  - {name: sunday, days: [sun], from: "00:00", to: "00:00"}\n';
    expect(frozenAt(sunday, '2026-03-07T23:59:59Z')).toEqual([]);
    expect(frozenAt(sunday, '2026-03-08T00:00:00Z')).toHaveLength(1);
    expect(frozenAt(sunday, '2026-03-08T23:59:59Z')).toHaveLength(1);
    expect(frozenAt(sunday, '2026-03-09T00:00:00Z')).toEqual([]);
  });

  it('runs past midnight when `to` is before `from`', () => {
    const friday = `
freezeWindows:
  - name: friday night
    days: [fri]
    from: "18:00"
    to: "08:00"
`;
    expect(frozenAt(friday, '2026-03-06T17:59:00Z')).toEqual([]);
    expect(frozenAt(friday, '2026-03-06T18:00:00Z')).toHaveLength(1);
    expect(frozenAt(friday, '2026-03-07T07:59:00Z')).toHaveLength(1);
    expect(frozenAt(friday, '2026-03-07T08:00:00Z')).toEqual([]);
    // Thursday night is not frozen.
    expect(frozenAt(friday, '2026-03-06T07:00:00Z')).toEqual([]);
  });
});
