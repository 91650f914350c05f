import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONTRACT_PLAYBOOK_IDS } from '../../src/runner/playbook-contract.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
// The playbook commands read only files: no Redis or database is needed, so none is configured.
const env = { PATH: process.env['PATH'] ?? '', MEDIC_DATA_DIR: mkdtempSync(join(tmpdir(), 'medic-cli-')) };

async function medic(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return medicWith({}, ...args);
}

async function medicWith(
  extraEnv: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/medic.js', ...args], {
      cwd: root,
      env: { ...env, ...extraEnv },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('medic playbooks (through the real CLI)', () => {
  it('validate: exit 0 and a count for the built-in playbooks', async () => {
    const result = await medic('playbooks', 'validate');
    expect(result).toMatchObject({ code: 0, stdout: `${CONTRACT_PLAYBOOK_IDS.length} playbooks valid\n` });
  });

  it('validate <dir>: exit 1 and every problem, each naming file and path', async () => {
    const result = await medic('playbooks', 'validate', 'test/fixtures/playbooks-bad');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'test/fixtures/playbooks-bad/unknown-patch-type.yaml: steps[0].patch.type: must be one of strategic-merge, merge, json',
    );
    expect(result.stderr).toContain('test/fixtures/playbooks-bad/missing-id.yaml: id: is required');
    expect(result.stderr).toContain('test/fixtures/playbooks-bad: no playbook with id "rollout-restart"');
    expect(result.stderr).toMatch(/medic: MEDIC_E_INVALID_PLAYBOOK: \d+ problem\(s\) found\n$/);
  });

  it('validate without a dir checks the configured MEDIC_PLAYBOOKS_DIR', async () => {
    const result = await medicWith(
      { MEDIC_PLAYBOOKS_DIR: 'test/fixtures/playbooks-bad' },
      'playbooks',
      'validate',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('test/fixtures/playbooks-bad/missing-id.yaml: id: is required');
  });

  it('list --json: every playbook with its parameters schema', async () => {
    const result = await medic('playbooks', 'list', '--json');
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Array<{ id: string; risk: string; paramsSchema: object }>;
    expect(listed.map((p) => p.id).sort()).toEqual([...CONTRACT_PLAYBOOK_IDS].sort());
    expect(listed.find((p) => p.id === 'rollback')?.risk).toBe('high');
  });

  it('list: a table with risk, target kinds and parameters, required ones starred', async () => {
    const result = await medic('playbooks', 'list');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ scale\s+│ medium\s+│ Deployment, StatefulSet\s+│ replicas\*\s+│/);
  });
});
