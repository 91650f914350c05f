import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';
import { defaultPolicy } from '../../src/policy/policy-schema.js';

function problem(text: string): MedicError {
  try {
    parsePolicy(text, 'policy.yaml', 'medic');
  } catch (error) {
    if (error instanceof MedicError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('loadPolicy', () => {
  it("gives the safe defaults without a file, protecting medic's own namespace", async () => {
    const policy = await loadPolicy({ ownNamespace: 'ops-medic' });
    expect(policy.protectedNamespaces).toEqual([
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'ops-medic',
    ]);
    expect(policy.protectedLabel).toBe('medic.io/protected=true');
    expect(policy.limits).toEqual({
      scale: { maxFactor: 2, maxReplicas: 50, allowZero: false },
      setResources: { maxFactor: 4 },
      rollback: { maxAgeDays: 14 },
      deletePod: { maxPerIncident: 1 },
      cordonNode: { maxUnschedulablePercent: 34 },
      hpa: { maxFactor: 2, maxReplicas: 100 },
    });
    expect(policy.blastRadius).toEqual({ perWorkloadPerHour: 2, perClusterPerHour: 10 });
    expect(policy.freezeWindows).toEqual([]);
    expect(policy.autoApprove.maxRisk).toBe('none');
    expect(policy.approvals).toEqual({
      required: 1,
      highRiskRequired: 2,
      ttlMinutes: 60,
      approvers: { names: [], slackUsers: [], slackGroups: [] },
    });
    expect((await loadPolicy({})).protectedNamespaces).toContain('medic');
  });

  it('reads policy.example.yaml and finds exactly the defaults it documents', async () => {
    const policy = await loadPolicy({
      file: join(import.meta.dirname, '../../policy.example.yaml'),
      ownNamespace: 'medic',
    });
    expect(policy).toEqual(defaultPolicy('medic'));
  });

  it('fills absent keys with defaults next to the ones given, and always adds the own namespace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medic-policy-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(
      file,
      'protectedNamespaces: [payments]\nlimits:\n  scale:\n    maxFactor: 3\nautoApprove:\n  maxRisk: low\n',
    );
    const policy = await loadPolicy({ file, ownNamespace: 'medic' });
    expect(policy.protectedNamespaces).toEqual(['payments', 'medic']);
    expect(policy.limits.scale).toEqual({ maxFactor: 3, maxReplicas: 50, allowZero: false });
    expect(policy.limits.rollback.maxAgeDays).toBe(14);
    expect(policy.autoApprove.maxRisk).toBe('low');
  });

  it('treats an empty file as all defaults', () => {
    expect(parsePolicy('# nothing set\n', 'policy.yaml', 'medic')).toEqual(defaultPolicy('medic'));
  });

  it('refuses a file it cannot read, naming it', async () => {
    await expect(loadPolicy({ file: '/nonexistent/policy.yaml' })).rejects.toMatchObject({
      code: ErrorCodes.invalidPolicy,
      message: expect.stringMatching(/^\/nonexistent\/policy\.yaml: cannot be read/),
    });
  });
});

describe('bad policy files name the file and the key', () => {
  it('a wrong type', () => {
    const error = problem('limits:\n  scale:\n    maxFactor: two\n');
    expect(error.code).toBe(ErrorCodes.invalidPolicy);
    expect(error.message).toBe('policy.yaml: limits.scale.maxFactor: expected number');
  });

  it('an unknown key, named in full', () => {
    expect(problem('limits:\n  scale:\n    maxFactr: 3\n').message).toBe(
      'policy.yaml: limits.scale.maxFactr: unknown key',
    );
    expect(problem('autoApprove: {maxRisk: low}\napprovers: []\n').message).toBe(
      'policy.yaml: approvers: unknown key',
    );
  });

  it('an out-of-range or badly formed value', () => {
    expect(problem('autoApprove:\n  maxRisk: extreme\n').message).toMatch(
      /^policy\.yaml: autoApprove\.maxRisk: /,
    );
    expect(problem('limits:\n  cordonNode:\n    maxUnschedulablePercent: 150\n').message).toMatch(
      /^policy\.yaml: limits\.cordonNode\.maxUnschedulablePercent: /,
    );
    expect(problem('protectedLabel: protected\n').message).toBe(
      'policy.yaml: protectedLabel: expected key=value',
    );
  });

  it('bad freeze windows', () => {
    expect(
      problem('freezeWindows:\n  - {name: w, days: [sat], from: "25:00", to: "06:00", timezone: UTC}\n')
        .message,
    ).toBe('policy.yaml: freezeWindows[0].from: expected HH:MM');
    expect(
      problem(
        'freezeWindows:\n  - {name: w, days: [sat], from: "22:00", to: "06:00", timezone: Mars/Olympus}\n',
      ).message,
    ).toBe('policy.yaml: freezeWindows[0].timezone: expected an IANA time zone such as Europe/Berlin');
    expect(
      problem('freezeWindows:\n  - {name: w, start: "2026-03-02T00:00:00Z", end: "2026-03-01T00:00:00Z"}\n')
        .message,
    ).toBe('policy.yaml: freezeWindows[0].end: end must be after start');
    expect(
      problem('freezeWindows:\n  - {name: w, start: "2026-03-02", end: "2026-03-03T00:00:00Z"}\n').message,
    ).toMatch(/^policy\.yaml: freezeWindows\[0\]\.start: /);
  });

  it('a file that is not YAML', () => {
    const error = problem('limits: {scale: [\n');
    expect(error.code).toBe(ErrorCodes.invalidPolicy);
    expect(error.message).toMatch(/^policy\.yaml: not valid YAML: /);
  });

  it('a top level that is not a mapping', () => {
    expect(problem('- a\n- b\n').message).toBe('policy.yaml: (top level): expected object');
  });
});
