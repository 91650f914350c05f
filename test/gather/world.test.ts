import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld, replaySources, type World } from '../../src/adapters/replay/world.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { loadConfig } from '../../src/config/load.js';
import { normaliseAlert } from '../../src/domain/alert.js';
import type { AlertmanagerPayload } from '../../src/domain/alertmanager-payload.js';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import { correlationLabels } from '../../src/main/runtime.js';
import { createLogger } from '../../src/observability/logger.js';
import { correlate } from '../../src/pipeline/correlate.js';
import type { EvidenceSources, GatherSettings } from '../../src/pipeline/gather.js';
import { runGatherStage } from '../../src/pipeline/gather-stage.js';
import { createSourceGuards } from '../../src/pipeline/source-guard.js';

const SECRETS = [
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  'AKIAIOSFODNN7EXAMPLE',
  'hunter2-Very-Secret',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
];

const settings: GatherSettings = {
  lookbackMinutes: 30,
  baselineMinutes: 30,
  stepSeconds: 60,
  maxChars: 24_000,
  logLines: 2000,
  traces: 50,
  timeoutMs: { metrics: 5000, logs: 5000, traces: 5000, kubernetes: 5000 },
};

let world: World;
let kube: Awaited<ReturnType<typeof startKubeReplayServer>>;
let store: SqliteStore;
let bundle: EvidenceBundle;
let incidentId = '';
let dataDir = '';

beforeAll(async () => {
  world = await loadWorld(join(import.meta.dirname, '../fixtures/worlds/oom-checkout'));
  // Untrusted text carrying secrets, as a leaky application would log them.
  const leaky = world.logs.slice(0, 4).map((line, i) => ({
    ...line,
    level: 'error',
    message: [
      `upstream call failed: Authorization: Bearer ${SECRETS[0]}`,
      `s3 upload denied for key ${SECRETS[1]}`,
      `connecting to postgres://checkout:${SECRETS[2]}@db.shop.svc:5432/orders failed`,
      `git fetch with token=${SECRETS[3]} failed`,
    ][i] as string,
  }));
  world.logs.push(...leaky);
  kube = await startKubeReplayServer(world.kubernetes);
  dataDir = mkdtempSync(join(tmpdir(), 'medic-gather-'));
  store = new SqliteStore(join(dataDir, 'medic.db'));
  const payload = world.alert as AlertmanagerPayload;
  const labels = correlationLabels(loadConfig({ env: {}, file: '/dev/null' }));
  const alerts = payload.alerts.map((alert) => ({
    alert: normaliseAlert(alert, world.now, labels),
    incidentId: 'inc-world-1',
  }));
  const clock = { now: () => world.now };
  const logger = createLogger('silent');
  await correlate(alerts, { store, queue: { release: async () => {} }, clock, logger });
  incidentId = 'inc-world-1';
  const sources: EvidenceSources = {
    ...replaySources(world),
    cluster: createClusterReader({ kubeconfigYaml: kube.kubeconfigYaml }),
  };
  bundle = await runGatherStage(incidentId, {
    store,
    sources,
    guards: createSourceGuards({
      timeoutMs: { metrics: 5000, logs: 5000, traces: 5000, kubernetes: 5000 },
      retries: 0,
      breakAfter: 5,
      halfOpenAfterMs: 1000,
    }),
    settings,
    clock,
    logger,
  });
});

afterAll(async () => {
  await kube?.close();
  await store?.close();
});

describe('gather over a recorded world, through the real Kubernetes client', () => {
  it('reads every source', () => {
    expect(bundle.sources.map((s) => [s.source, s.state])).toEqual([
      ['metrics', 'ok'],
      ['logs', 'ok'],
      ['traces', 'ok'],
      ['kubernetes', 'ok'],
    ]);
  });

  it('summarises memory against its limit', () => {
    const memory = bundle.signals.filter((s) => s.signal === 'memory_working_set_bytes');
    expect(memory.length).toBeGreaterThan(0);
    const highest = Math.max(...memory.map((s) => s.ratioToReference ?? 0));
    expect(highest).toBeGreaterThan(0.8);
    expect(memory.every((s) => s.reference?.signal === 'memory_limit_bytes')).toBe(true);
  });

  it('reports OOMKilled restarts with their exit code', () => {
    const oom = bundle.cluster?.restarts.filter((r) => r.lastReason === 'OOMKilled') ?? [];
    expect(oom.length).toBeGreaterThan(0);
    expect(oom.every((r) => r.lastExitCode === 137)).toBe(true);
  });

  it('lists rollouts newest first and warning events', () => {
    const revisions = bundle.cluster?.rollouts.map((r) => r.revision) ?? [];
    expect(revisions.length).toBeGreaterThanOrEqual(2);
    expect([...revisions].sort((a, b) => b - a)).toEqual(revisions);
    expect(bundle.cluster?.warnings.some((w) => /OOM|BackOff/i.test(w.reason))).toBe(true);
  });

  it('groups logs into patterns, errors first', () => {
    expect(bundle.logs?.total).toBeGreaterThan(0);
    const patterns = bundle.logs?.patterns ?? [];
    expect(patterns.length).toBeGreaterThan(1);
    expect(patterns.length).toBeLessThan(bundle.logs?.total ?? 0);
    expect(['error', 'fatal']).toContain(patterns[0]?.level);
  });

  it('follows trace errors downstream to where they start', () => {
    expect(bundle.traces?.errorOrigins.length).toBeGreaterThan(0);
    expect(bundle.traces?.edges.some((edge) => edge.from === 'checkout')).toBe(true);
  });

  it('stores the bundle and one audit event per source', async () => {
    expect(await store.evidence(incidentId)).toEqual(bundle);
    const events = await store.read({ incident: incidentId });
    expect(events.filter((e) => e.type === 'evidence.source').map((e) => e.data['source'])).toEqual([
      'metrics',
      'logs',
      'traces',
      'kubernetes',
    ]);
    expect((await store.verify()).ok).toBe(true);
  });

  it('never stores or audits a secret from the logs', async () => {
    const stored = JSON.stringify(await store.evidence(incidentId));
    const audit = JSON.stringify(await store.read({}));
    for (const secret of SECRETS) {
      expect(stored).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(stored).toMatch(/REDACTED/);
  });

  it('renders the evidence readably in `medic incidents show`', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/medic.js', 'incidents', 'show', incidentId],
      {
        cwd: join(import.meta.dirname, '../..'),
        env: { PATH: process.env['PATH'] ?? '', MEDIC_DATA_DIR: dataDir },
      },
    );
    expect(stdout).toMatch(/Evidence \(collected/);
    expect(stdout).toMatch(/Sources: metrics ok.*logs ok.*traces ok.*kubernetes ok/);
    expect(stdout).toMatch(/Restarts[\s\S]*OOMKilled[\s\S]*137/);
    expect(stdout).toMatch(/memory_working_set_bytes/);
    expect(stdout).toMatch(/Log patterns \(\d+ matching lines\)/);
    for (const secret of SECRETS) expect(stdout).not.toContain(secret);
  });
});
