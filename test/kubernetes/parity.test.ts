import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld, type World } from '../../src/adapters/replay/world.js';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import type { Incident } from '../../src/domain/incident.js';
import { type GatherSettings, gatherEvidence } from '../../src/pipeline/gather.js';
import { createSourceGuards } from '../../src/pipeline/source-guard.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  startControlPlane,
} from '../support/control-plane.js';
import { loadIntoCluster } from './load-objects.js';

const settings: GatherSettings = {
  lookbackMinutes: 30,
  baselineMinutes: 30,
  stepSeconds: 60,
  maxChars: 100_000,
  logLines: 100,
  traces: 10,
  timeoutMs: { metrics: 10_000, logs: 10_000, traces: 10_000, kubernetes: 10_000 },
};

function incident(world: World): Incident {
  const at = world.now.toISOString();
  return {
    id: 'inc-parity',
    correlationKey: 'default/shop/workload:checkout',
    state: 'open',
    title: 'parity',
    severity: 'warning',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: at,
    updatedAt: at,
    lastAlertAt: at,
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
}

async function clusterEvidence(world: World, cluster: ClusterReader): Promise<EvidenceBundle['cluster']> {
  const bundle = await gatherEvidence(incident(world), [], {
    sources: { cluster },
    guards: createSourceGuards({
      timeoutMs: { metrics: 10000, logs: 10000, traces: 10000, kubernetes: 10000 },
      retries: 0,
      breakAfter: 5,
      halfOpenAfterMs: 1000,
    }),
    settings,
    now: world.now,
  });
  expect(bundle.sources.find((s) => s.source === 'kubernetes')).toMatchObject({ state: 'ok' });
  return bundle.cluster;
}

/** The API server stamps creationTimestamp itself; everything else must agree exactly. */
function withoutServerClock(facts: EvidenceBundle['cluster']) {
  return facts
    ? { ...facts, rollouts: facts.rollouts.map(({ createdAt: _c, ageMinutes: _a, ...rest }) => rest) }
    : null;
}

describe.skipIf(!controlPlaneAvailable())(
  `replay server and real kube-apiserver agree on a recorded world (${controlPlaneAvailable() ? 'etcd + kube-apiserver' : controlPlaneSkipReason()})`,
  () => {
    let world: World;
    let plane: ControlPlane;
    let replay: Awaited<ReturnType<typeof startKubeReplayServer>>;

    beforeAll(async () => {
      world = await loadWorld(join(import.meta.dirname, '../fixtures/worlds/oom-checkout'));
      plane = await startControlPlane();
      const kc = new KubeConfig();
      kc.loadFromString(plane.kubeconfigYaml);
      await loadIntoCluster(kc, world.kubernetes);
      replay = await startKubeReplayServer(world.kubernetes);
    }, 120_000);

    afterAll(async () => {
      await replay?.close();
      await plane?.stop();
    });

    it('gives the same cluster facts through the same client', async () => {
      const fromReplay = await clusterEvidence(
        world,
        createClusterReader({ kubeconfigYaml: replay.kubeconfigYaml }),
      );
      const fromReal = await clusterEvidence(
        world,
        createClusterReader({ kubeconfigYaml: plane.kubeconfigYaml }),
      );
      expect(fromReal?.restarts.some((r) => r.lastReason === 'OOMKilled')).toBe(true);
      expect(fromReal?.rollouts.length).toBeGreaterThanOrEqual(2);
      expect(withoutServerClock(fromReal)).toEqual(withoutServerClock(fromReplay));
    });

    it('reads status written through the status subresource', async () => {
      const reader = createClusterReader({ kubeconfigYaml: plane.kubeconfigYaml });
      const pods = await reader.pods('shop');
      const statuses = pods.flatMap(
        (pod) => (pod.status?.['containerStatuses'] as Array<{ restartCount: number }>) ?? [],
      );
      expect(statuses.some((status) => status.restartCount > 0)).toBe(true);
      const deployment = await reader.get({ kind: 'Deployment', namespace: 'shop', name: 'checkout' });
      expect(deployment?.status?.['availableReplicas']).toBe(
        (
          world.kubernetes.find((o) => o.kind === 'Deployment')?.status as
            | { availableReplicas?: number }
            | undefined
        )?.availableReplicas,
      );
    });
  },
);
