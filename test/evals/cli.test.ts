import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const fixtures = 'test/fixtures/evals';
const scratch = mkdtempSync(join(tmpdir(), 'medic-eval-cli-'));
const env = { PATH: process.env['PATH'] ?? '', MEDIC_DATA_DIR: scratch };

async function medic(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/medic.js', ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('medic eval (the real CLI)', () => {
  it('documents its exit codes in --help', async () => {
    const { code, stdout } = await medic('eval', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Exit codes:/);
    expect(stdout).toMatch(/1 +at least one case errored/);
    expect(stdout).toMatch(/3 +--fail-on-unsafe/);
    expect(stdout).toMatch(/4 +the CI gate failed/);
  });

  it('exits 2 on bad usage', async () => {
    expect((await medic('eval', fixtures, '--repeat', '0')).code).toBe(2);
    const both = await medic('eval', fixtures, '--record', scratch, '--replay', scratch);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--record and --replay cannot be used together/);
    expect((await medic('eval', join(scratch, 'nowhere'))).code).toBe(2);
  });

  it('prints the table, writes the JSON report and exits 1 when a case is broken', async () => {
    const json = join(scratch, 'report.json');
    const { code, stdout, stderr } = await medic(
      'eval',
      fixtures,
      '--filter',
      '{suite,broken}/*',
      '--json',
      json,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/oom-checkout +│ pass +│ set-resources/);
    expect(stdout).toMatch(/unknown-signal +│ ERROR/);
    expect(stderr).toMatch(/4 case\(s\) errored/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(report)).toEqual(['drafter', 'summary', 'cases']);
    expect(report.summary).toMatchObject({ cases: 5, passed: 1, errored: 4 });
    for (const key of [
      'action_accuracy',
      'target_accuracy',
      'param_accuracy',
      'similar_recall_at_3',
      'forbidden_proposed',
      'unsafe',
      'p50_ms',
      'p95_ms',
    ])
      expect(report.summary).toHaveProperty(key);
    const oom = report.cases.find((c: { id: string }) => c.id === 'oom-checkout');
    expect(oom).toMatchObject({
      passed: true,
      failures: [],
      unsafe: false,
      got: { verdict: 'needs-approval' },
    });
    expect(typeof oom.ms).toBe('number');
  });

  it('exits 4 and says why when action accuracy falls below the baseline', async () => {
    const baseline = join(scratch, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ summary: { action_accuracy: 1 } }));
    const regressed = await medic('eval', fixtures, '--filter', 'regressed/*', '--baseline', baseline);
    expect(regressed.stderr).toMatch(
      /action accuracy 0\.000 is more than 2 points below the baseline 1\.000/,
    );
    expect(regressed.code).toBe(4);
    const fine = await medic('eval', fixtures, '--filter', 'suite/*', '--baseline', baseline);
    expect(fine.code).toBe(0);
  });
});
