import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld } from '../../src/adapters/replay/world.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import type { DraftRecord } from '../../src/domain/draft.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Incident } from '../../src/domain/incident.js';
import { createLogger } from '../../src/observability/logger.js';
import { runGuardStage } from '../../src/pipeline/guard-stage.js';
import { defaultPolicy } from '../../src/policy/policy-schema.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';

const WORLD = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');
const NOW = new Date('2026-03-01T10:05:00Z');
let kube: KubeReplayServer | undefined;
let store: SqliteStore | undefined;

afterEach(async () => {
  await kube?.close();
  await store?.close();
});

const namespace = (labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', labels },
});

/** An incident drafted to raise checkout's memory limit, in a store of its own. */
async function drafted(extra: KubeObject[]) {
  const world = await loadWorld(WORLD);
  const objects = [...world.kubernetes.filter((o) => o.kind !== 'Namespace'), ...extra];
  kube = await startKubeReplayServer(objects, { writable: true });
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'medic-guard-')), 'medic.db'));
  const incident: Incident = {
    id: 'inc-guard-1',
    correlationKey: 'default/shop/Deployment/checkout',
    state: 'drafted',
    title: 'KubeContainerOOMKilled on Deployment/checkout',
    severity: 'warning',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    lastAlertAt: NOW.toISOString(),
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
  const target = { kind: 'Deployment' as const, namespace: 'shop', name: 'checkout' };
  const record: DraftRecord = {
    draft: {
      diagnosis: 'OOMKilled at the 512Mi limit',
      confidence: 0.9,
      playbook: 'set-resources',
      target,
      params: { container: 'app', 'limits.memory': '768Mi' },
      rationale: 'peak 498Mi of 512Mi, 6 OOMKills',
      evidence_refs: [],
      risk_notes: [],
    },
    drafter: { kind: 'case', name: 'case-based-v1', promptVersion: null },
    attempts: [],
    similarUsed: [],
    draftedAt: NOW.toISOString(),
    usage: null,
    latencyMs: 1,
  };
  await store.transaction(async (tx) => {
    await tx.insertIncident(incident);
    await tx.saveDraft(incident.id, record);
  });
  const kubeconfig = { kubeconfigYaml: kube.kubeconfigYaml };
  return runGuardStage(incident.id, {
    store,
    clock: { now: () => NOW },
    logger: createLogger('silent'),
    catalog: await loadCatalog(defaultPlaybookDir()),
    policy: defaultPolicy('medic'),
    cluster: { reader: createClusterReader(kubeconfig), writer: createClusterWriter(kubeconfig) },
    fieldManager: 'medic',
  });
}

describe('guard stage', () => {
  it('dry-runs the rendered patch and parks the plan for approval with the diff', async () => {
    const plan = await drafted([namespace({ team: 'shop' })]);
    expect(plan?.verdict.decision).toBe('needs-approval');
    expect(plan?.dryRun[0]?.diff).toContain('+              memory: 768Mi');
    expect((await store?.get('inc-guard-1'))?.state).toBe('awaiting-approval');
    expect(kube?.requests.filter((r) => r.startsWith('PATCH') && !r.includes('dryRun=All'))).toEqual([]);
  });

  it('denies any action in a namespace labelled medic.io/protected=true and escalates', async () => {
    const plan = await drafted([namespace({ 'medic.io/protected': 'true' })]);
    expect(plan?.verdict.decision).toBe('denied');
    expect(plan?.verdict.reasons.join(' ')).toMatch(
      /namespace "shop" carries the label medic\.io\/protected=true/,
    );
    expect((await store?.get('inc-guard-1'))?.state).toBe('escalated');
  });
});
