import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../src/main/demo/run.js';
import { runCli } from '../stores/fixtures.js';
import { ThrowawayRedis } from '../support/redis.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let redis: ThrowawayRedis;
/** The children's TMPDIR, so a test sees whether the demo removed its scratch data directory. */
const scratch = mkdtempSync(join(tmpdir(), 'medic-demo-test-'));
const demoEnv = () => ({ REDIS_URL: redis.url, TMPDIR: scratch });

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
});

afterAll(async () => {
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every key the demo's queues wrote; the demo removes its prefix when it ends. */
/** Whatever the demo left behind: Redis keys under its prefix and its scratch data directory. */
async function leftovers(): Promise<string[]> {
  // tsx keeps its compile cache there too; only the demo's own directories count.
  const dirs = readdirSync(scratch).filter((name) => name.startsWith('medic-demo-'));
  return [...(await keysLeft()), ...dirs];
}

async function keysLeft(): Promise<string[]> {
  const client = new Redis(redis.url);
  try {
    return await client.keys('*');
  } finally {
    client.disconnect();
  }
}

// `runCli` gives the child no stdin, so it is never a terminal: exactly the CI case `--yes` is for.
describe('medic demo', () => {
  it('replays the default case from alert to a verified, resolved incident with --yes', async () => {
    const result = await runCli(['demo', '--yes', '--as', 'dana'], demoEnv());
    const out = result.stdout;
    expect(result.code, `${out}\n${result.stderr}`).toBe(0);

    expect(out).toMatch(/diagnosis\s+Container order-service of Deployment shop\/order-service is OOMKilled/);
    expect(out).toMatch(/playbook\s+set-resources/);
    const limit = /limits\.memory=(\d+[MG]i)/.exec(out)?.[1];
    expect(limit).toBeDefined();
    expect(limit).not.toBe('1Gi');
    expect(out).toContain('-              memory: 1Gi\n');
    expect(out).toContain(`+              memory: ${limit}\n`);
    expect(out).toMatch(/decision\s+needs-approval/);

    expect(out).toContain('dana: approve (approved with --yes) -> approved');
    expect(out).toMatch(/person\/dana\s+│ approval\.recorded/);
    expect(out).toMatch(/medic\/runner\s+│ execution\.verified/);
    expect(out).toContain(
      'Writes to the cluster: PATCH /apis/apps/v1/namespaces/shop/deployments/order-service?fieldManager=medic\n',
    );
    expect(out).toContain('Final state: resolved');
    expect(await leftovers()).toEqual([]);
  });

  it('rejects and applies nothing when nobody can be asked (no terminal, no --yes)', async () => {
    const result = await runCli(['demo', '--json', '--as', 'dana'], demoEnv());
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('stdin is not a terminal');
    expect(result.stderr).toContain('medic demo --yes');

    const report = JSON.parse(result.stdout) as DemoReport;
    expect(report.plan?.verdict.decision).toBe('needs-approval');
    expect(report.answer?.decision).toBe('reject');
    expect(report.decision?.status).toBe('rejected');
    expect(report.finalState).toBe('rejected');
    expect(report.execution).toBeNull();
    expect(report.clusterWrites).toEqual([]);
    const types = report.timeline.map((event) => event.type);
    expect(types).toContain('incident.rejected');
    expect(types.filter((type) => type.startsWith('execution.'))).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });
});

describe('medic demo interrupted', () => {
  it('closes everything and exits 130 on Ctrl-C while the execution runs', async () => {
    const child = spawn(process.execPath, ['bin/medic.js', 'demo', '--yes'], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', MEDIC_LOG_LEVEL: 'warn', ...demoEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Once: a second Ctrl-C means "exit now, skip the clean-up".
      if (!interrupted && stdout.includes('4. Execute and verify')) interrupted = child.kill('SIGINT');
    });
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code, `${stdout}\n${stderr}`).toBe(130);
    expect(stderr).toContain('interrupted, closing everything it started');
    expect(stdout).not.toContain('Final state');
    expect(await leftovers()).toEqual([]);
  });
});
