import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld, replaySources } from '../../src/adapters/replay/world.js';
import { loadConfig } from '../../src/config/load.js';
import { normaliseAlert } from '../../src/domain/alert.js';
import type { AlertmanagerPayload } from '../../src/domain/alertmanager-payload.js';
import type { Draft } from '../../src/domain/draft.js';
import type { Incident, IncidentAlert } from '../../src/domain/incident.js';
import { parseQuantity } from '../../src/domain/quantity.js';
import { CaseBasedDrafter } from '../../src/drafting/case-based/drafter.js';
import { correlationLabels } from '../../src/main/runtime.js';
import { gatherEvidence } from '../../src/pipeline/gather.js';
import { createSourceGuards } from '../../src/pipeline/source-guard.js';
import { testCatalog } from '../fixtures/drafting/catalog.js';

const timeoutMs = { metrics: 5000, logs: 5000, traces: 5000, kubernetes: 5000 };
let kube: Awaited<ReturnType<typeof startKubeReplayServer>> | undefined;
let draft: Draft;

beforeAll(async () => {
  const world = await loadWorld(join(import.meta.dirname, '../fixtures/worlds/oom-checkout'));
  kube = await startKubeReplayServer(world.kubernetes);
  const labels = correlationLabels(loadConfig({ env: {}, file: '/dev/null' }));
  const normalised = (world.alert as AlertmanagerPayload).alerts.map((raw) =>
    normaliseAlert(raw, world.now, labels),
  );
  const first = normalised[0];
  if (!first) throw new Error('the world has no alert');
  const alerts: IncidentAlert[] = normalised.map((a) => ({
    fingerprint: a.fingerprint,
    alertname: a.alertname,
    status: a.status,
    severity: a.severity,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    firstSeenAt: a.receivedAt,
    lastSeenAt: a.receivedAt,
  }));
  const incident: Incident = {
    id: 'inc-world-draft',
    correlationKey: first.correlationKey,
    state: 'gathering',
    title: first.alertname,
    severity: first.severity,
    cluster: first.cluster,
    namespace: first.namespace,
    workload: first.workload,
    openedAt: alerts.map((a) => a.startsAt).sort()[0] ?? first.startsAt,
    updatedAt: world.now.toISOString(),
    lastAlertAt: world.now.toISOString(),
    resolvedAt: null,
    alertCount: alerts.length,
    firingCount: alerts.length,
  };
  const evidence = await gatherEvidence(incident, alerts, {
    sources: {
      ...replaySources(world),
      cluster: createClusterReader({ kubeconfigYaml: kube.kubeconfigYaml }),
    },
    guards: createSourceGuards({ timeoutMs, retries: 0, breakAfter: 5, halfOpenAfterMs: 1000 }),
    settings: {
      lookbackMinutes: 30,
      baselineMinutes: 30,
      stepSeconds: 60,
      maxChars: 24_000,
      logLines: 2000,
      traces: 50,
      timeoutMs,
    },
    now: world.now,
  });
  const answer = await new CaseBasedDrafter().draft({
    incident,
    alerts,
    evidence,
    similar: null,
    catalog: testCatalog(),
    now: world.now,
  });
  draft = answer.draft;
});

afterAll(async () => {
  await kube?.close();
});

describe('case-based drafter on a bundle gathered from the oom-checkout world', () => {
  it('proposes set-resources on the checkout Deployment with a limit sized from the real peak', () => {
    expect(draft.playbook).toBe('set-resources');
    expect(draft.target).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
    expect(draft.params['container']).toBe('app');
    const limit = parseQuantity(draft.params['limits.memory'] as string);
    // The world's working set peaks at the 512Mi limit: 1.5× headroom rounds to 768Mi, the cap is 2Gi.
    expect(limit).toBeGreaterThanOrEqual(768 * 2 ** 20);
    expect(limit).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(draft.params['requests.memory']).toBeUndefined();
  });

  it('cites the memory series and the OOMKilled restarts', () => {
    expect(draft.evidence_refs).toContain('signals.memory_working_set_bytes');
    expect(
      draft.evidence_refs.some((ref) => /^cluster\.restarts\[checkout-7d9f8b6c5-[a-z0-9]+\/app\]$/.test(ref)),
    ).toBe(true);
    expect(draft.rationale).toMatch(/OOMKilled/);
  });
});
