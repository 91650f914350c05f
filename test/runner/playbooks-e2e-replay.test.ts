import { join } from 'node:path';
import { startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld } from '../../src/adapters/replay/world.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { playbooksE2EContract } from './playbooks-e2e-contract.js';

const WORLD = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'oom-checkout');

const nameOf = (objects: readonly KubeObject[], kind: string): string => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`the oom-checkout world has no ${kind}`);
  return found.metadata.name;
};

playbooksE2EContract(
  'replay server',
  async () => {
    // The world already holds the HPA `checkout`, two Nodes and three pods of checkout.
    const objects = (await loadWorld(WORLD)).kubernetes;
    return {
      prepare: async () => {
        // Two reads of a workload pass after its change before its rollout finishes, so the runner really waits.
        const server = await startKubeReplayServer(structuredClone(objects), {
          writable: true,
          rolloutReads: 2,
        });
        return {
          kubeconfigYaml: server.kubeconfigYaml,
          namespace: 'shop',
          node: nameOf(objects, 'Node'),
          pod: nameOf(objects, 'Pod'),
          requests: () => server.requests,
          tick: async () => {},
          close: () => server.close(),
        };
      },
      close: async () => {},
    };
  },
  { skipReason: null, rolloutPolls: 2 },
);
