import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadWorld, replaySources } from '../../src/adapters/replay/world.js';
import type { Draft } from '../../src/domain/draft.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Incident } from '../../src/domain/incident.js';
import type { Plan } from '../../src/domain/plan.js';
import type { RenderedStep } from '../../src/domain/playbook.js';
import type { MetricsSource } from '../../src/ports/metrics-source.js';

export const DEPLOYMENT = 'checkout';
export const targetIn = (namespace: string) => ({ kind: 'Deployment', namespace, name: DEPLOYMENT });

/** The instant the metrics world ends; the runner's clock starts 20 minutes before it. */
export const WORLD_NOW = new Date('2026-03-01T10:30:00.000Z');
export const START = new Date(WORLD_NOW.getTime() - 20 * 60_000);

/** A namespace and a Deployment of two replicas whose rollout is finished. */
export function seedObjects(namespace: string): KubeObject[] {
  const labels = { app: DEPLOYMENT };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEPLOYMENT, namespace, labels, generation: 1 },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.example/checkout:1.4.2',
                resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
      status: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      },
    },
  ];
}

export const raiseMemory = (namespace: string): RenderedStep => ({
  action: 'patch',
  ref: targetIn(namespace),
  patchType: 'strategic-merge',
  patch: {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', resources: { requests: { memory: '768Mi' }, limits: { memory: '1Gi' } } },
          ],
        },
      },
    },
  },
});

/** A second spec change that starts no new ReplicaSet, for plans of two steps. */
export const keepFewerRevisions = (namespace: string): RenderedStep => ({
  action: 'patch',
  ref: targetIn(namespace),
  patchType: 'merge',
  patch: { spec: { revisionHistoryLimit: 4 } },
});

const draft = (namespace: string): Draft => ({
  diagnosis: 'checkout is OOMKilled as traffic grows',
  confidence: 0.8,
  playbook: 'set-resources',
  target: targetIn(namespace) as Draft['target'],
  params: { container: 'app', 'limits.memory': '1Gi', 'requests.memory': '768Mi' },
  rationale: 'working set reaches the limit',
  evidence_refs: [],
  risk_notes: [],
});

export function incidentFixture(id: string, namespace: string): Incident {
  const at = START.toISOString();
  return {
    id,
    correlationKey: `default/${namespace}/Deployment/${DEPLOYMENT}`,
    state: 'approved',
    title: 'checkout OOMKilled',
    severity: 'critical',
    cluster: 'default',
    namespace,
    workload: { kind: 'Deployment', name: DEPLOYMENT, inferred: false },
    openedAt: at,
    updatedAt: at,
    lastAlertAt: at,
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
}

export function planFixture(
  incidentId: string,
  namespace: string,
  steps: RenderedStep[],
  verdict: Plan['verdict'] = { decision: 'needs-approval', reasons: [], approvers: 1, risk: 'medium' },
): Plan {
  const drafted = draft(namespace);
  return {
    id: `plan-${incidentId}`,
    incidentId,
    playbook: 'set-resources',
    target: targetIn(namespace),
    params: drafted.params,
    draft: drafted,
    steps,
    dryRun: [],
    verdict,
    createdAt: START.toISOString(),
    expiresAt: new Date(START.getTime() + 3_600_000).toISOString(),
  };
}

export interface FakeClock {
  now(): Date;
  advance(ms: number): void;
}

export function fakeClock(start: Date = START): FakeClock {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

/** A replay MetricsSource over a small case world whose series (metrics.yaml entries) end at WORLD_NOW. */
export async function metricsWorld(
  series: Array<{ signal: string; labels: Record<string, string>; values: string }>,
): Promise<MetricsSource> {
  const dir = mkdtempSync(join(tmpdir(), 'medic-runner-world-'));
  writeFileSync(
    join(dir, 'case.yaml'),
    `id: runner-world\nnow: "${WORLD_NOW.toISOString()}"\nworld:\n  metrics: metrics.yaml\n`,
  );
  writeFileSync(join(dir, 'metrics.yaml'), stringify({ interval: '1m', series }));
  return replaySources(await loadWorld(dir)).metrics;
}

/** The pods' restart counter either holds still or climbs by one a minute, over the 40 minutes before WORLD_NOW. */
export function restartsWorld(restarts: 'steady' | 'rising', namespace: string): Promise<MetricsSource> {
  return metricsWorld([
    {
      signal: 'container_restarts_total',
      labels: { namespace, pod: `${DEPLOYMENT}-7d9f8-abcde`, container: 'app' },
      values: restarts === 'steady' ? '2x40' : '2+1x40',
    },
  ]);
}
