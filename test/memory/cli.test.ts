import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const history = join(import.meta.dirname, '../fixtures/history/mixed.yaml');

describe('medic memory import / list', () => {
  const env = {
    PATH: process.env['PATH'] ?? '',
    MEDIC_DATA_DIR: mkdtempSync(join(tmpdir(), 'medic-memcli-')),
  };
  const cli = (...args: string[]) => run(process.execPath, ['bin/medic.js', ...args], { cwd: root, env });

  it('seeds the index from a history file, idempotently, and lists it', async () => {
    expect((await cli('memory', 'import', history)).stdout).toMatch(
      /5 past incident\(s\) indexed with hashing-v1-512.*5 in all/,
    );
    expect((await cli('memory', 'import', history)).stdout).toMatch(/5 in all/);
    const listed = JSON.parse((await cli('memory', 'list', '--json')).stdout) as Array<{
      incidentId: string;
      at: string;
    }>;
    expect(listed.map((entry) => entry.incidentId)).toEqual([
      'inc-0420',
      'inc-0412',
      'inc-0402',
      'inc-0391',
      'inc-0388',
    ]);
    expect((await cli('memory', 'list')).stdout).toMatch(/inc-0412.*set-resources.*resolved/);
  });

  it('names the file, entry and field of a broken history, and exits non-zero', async () => {
    const broken = join(env.MEDIC_DATA_DIR, 'broken.yaml');
    writeFileSync(
      broken,
      '- id: inc-1\n  at: yesterday\n  title: t\n  action: { playbook: none }\n  outcome: resolved\n',
    );
    const failure = await cli('memory', 'import', broken).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /broken\.yaml:\[0\]\.at: must be an RFC 3339 timestamp/,
    );
  });
});

describe('medic memory reindex', () => {
  const env = {
    PATH: process.env['PATH'] ?? '',
    MEDIC_DATA_DIR: mkdtempSync(join(tmpdir(), 'medic-reindex-')),
  };
  const cli = (extra: Record<string, string>, ...args: string[]) =>
    run(process.execPath, ['bin/medic.js', ...args], { cwd: root, env: { ...env, ...extra } });

  it('re-embeds every remembered incident after the embedder changes', async () => {
    const small = join(env.MEDIC_DATA_DIR, 'small.yaml');
    writeFileSync(small, 'memory:\n  dimension: 128\n');
    await cli({ MEDIC_CONFIG: small }, 'memory', 'import', history);
    const before = JSON.parse(
      (await cli({ MEDIC_CONFIG: small }, 'memory', 'list', '--json')).stdout,
    ) as Array<{ embedder: string }>;
    expect(new Set(before.map((entry) => entry.embedder))).toEqual(new Set(['hashing-v1-128']));

    const reindexed = await cli({}, 'memory', 'reindex');
    expect(reindexed.stdout).toMatch(/5 incident\(s\) re-embedded with hashing-v1-512/);
    const after = JSON.parse((await cli({}, 'memory', 'list', '--json')).stdout) as Array<{
      embedder: string;
      signature: string;
    }>;
    expect(after).toHaveLength(5);
    expect(new Set(after.map((entry) => entry.embedder))).toEqual(new Set(['hashing-v1-512']));
    expect(after.every((entry) => entry.signature.startsWith('alert:'))).toBe(true);
  });
});
