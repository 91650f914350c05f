import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { type Alert, type CorrelationLabels, normaliseAlert } from '../../src/domain/alert.js';
import type { AuditEvent, AuditEventInput } from '../../src/domain/audit.js';
import { defaultWorkloadLabelSets } from '../../src/domain/workload.js';
import { createLogger } from '../../src/observability/logger.js';
import type { CorrelateDeps } from '../../src/pipeline/correlate.js';
import type { AuditLog } from '../../src/ports/audit-log.js';
import type { IncidentStore } from '../../src/ports/incident-store.js';
import type { AlertAdmission } from '../../src/ports/ingest-queue.js';
import { type AlertSpec, podAlert, webhookPayload } from '../support/payloads.js';

export type ContractStore = IncidentStore & AuditLog;

export interface StoreHandle {
  store: ContractStore;
  /** Runs raw SQL (possibly several statements) against the store's database on a separate connection. */
  tamper: (sqlText: string) => Promise<void>;
  /** SQL that removes the append-only trigger(s) from audit_events, so tampering is possible at all. */
  dropAppendOnlySql: string;
  /** Environment for `node bin/medic.js` so that it opens the same database. */
  cliEnv: Record<string, string>;
  close(): Promise<void>;
}

const labelsConfig: CorrelationLabels = {
  cluster: ['cluster'],
  namespace: ['namespace'],
  workload: defaultWorkloadLabelSets,
  defaultCluster: 'test',
};

export const RECEIVED = new Date('2026-11-25T10:00:05.000Z');

/** Normalised alerts, as ingest would hand them to correlate. */
export function alertsOf(specs: AlertSpec[], receivedAt: Date = RECEIVED): Alert[] {
  return webhookPayload(specs).alerts.map((raw) => normaliseAlert(raw, receivedAt, labelsConfig));
}

export function firing(pod: string, extra: Partial<AlertSpec> = {}): AlertSpec {
  return podAlert('shop', pod, { status: 'firing', ...extra });
}

export function resolved(pod: string, extra: Partial<AlertSpec> = {}): AlertSpec {
  return podAlert('shop', pod, { status: 'resolved', ...extra });
}

export function admit(incidentId: string | null, specs: AlertSpec[], receivedAt?: Date): AlertAdmission[] {
  return alertsOf(specs, receivedAt).map((alert) => ({ alert, incidentId }));
}

export interface TestDeps extends CorrelateDeps {
  at(iso: string): TestDeps;
  release: ReturnType<typeof vi.fn>;
}

/** Correlate dependencies with a settable fake clock and a spy for queue.release. */
export function depsFor(store: IncidentStore, iso = '2026-11-25T10:01:00.000Z'): TestDeps {
  let now = new Date(iso);
  const release = vi.fn(async (_key: string, _id: string) => undefined);
  const deps: TestDeps = {
    store,
    queue: { release },
    clock: { now: () => now },
    logger: createLogger('silent'),
    release,
    at(next: string) {
      now = new Date(next);
      return deps;
    },
  };
  return deps;
}

export function minute(n: number): string {
  return new Date(Date.UTC(2026, 10, 25, 10, n, 0)).toISOString();
}

/** Appends `count` events, one per transaction, event i at minute(i) (so `at` is controlled). */
export async function buildChain(store: ContractStore, count: number): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  for (let i = 1; i <= count; i += 1) {
    const input: AuditEventInput = {
      incident: i % 3 === 0 ? null : `inc-${i % 2 === 0 ? 'even' : 'odd'}`,
      actor: 'test/chain',
      type: `test.event${i}`,
      data: { n: i, nested: { list: [i, `${i}`], flag: i % 2 === 0 } },
    };
    all.push(...(await store.transaction((tx) => tx.appendAudit([input], new Date(minute(i))))));
  }
  return all;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, with only the store-selecting variables taken from `env`. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'MEDIC_DATA_DIR', 'MEDIC_CONFIG', 'REDIS_URL']) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/medic.js', ...args], {
      cwd: repoRoot,
      env: { ...base, ...env, MEDIC_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first `seq N` that a message names. */
export function firstSeqNamed(text: string): number | null {
  const match = /\bseq (\d+)\b/.exec(text);
  return match?.[1] ? Number(match[1]) : null;
}
