import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClusterReader } from '../adapters/kubernetes/reader.js';
import { createClusterWriter } from '../adapters/kubernetes/writer.js';
import { type KubeReplayServer, startKubeReplayServer } from '../adapters/replay/kube-server.js';
import { loadWorld, replaySources, type World } from '../adapters/replay/world.js';
import type { Clock } from '../ports/clock.js';
import type { RuntimeOverrides } from './runtime.js';

export interface ReplayWorld {
  world: World;
  kube: KubeReplayServer;
  overrides: RuntimeOverrides;
  close(): Promise<void>;
}

/**
 * A clock that starts at the case's `now` and then runs `speed` times real time, so waits and timeouts
 * still elapse (tests speed it up so a five-minute verify window passes in seconds).
 */
export function clockFrom(start: Date, speed = 1): Clock {
  const startedAt = Date.now();
  return { now: () => new Date(start.getTime() + (Date.now() - startedAt) * speed) };
}

/**
 * A recorded case as a live world: the Kubernetes replay server (writable, so dry-runs and applies
 * work) behind the real Kubernetes adapters, replayed metrics, logs and traces, and the case's clock.
 */
export async function openReplayWorld(
  caseDir: string,
  options: { rolloutReads?: number } = {},
): Promise<ReplayWorld> {
  const world = await loadWorld(caseDir);
  const kube = await startKubeReplayServer(world.kubernetes, {
    writable: true,
    ...(options.rolloutReads !== undefined ? { rolloutReads: options.rolloutReads } : {}),
  });
  const kubeconfig = { kubeconfigYaml: kube.kubeconfigYaml };
  return {
    world,
    kube,
    overrides: {
      evidence: {
        sources: { ...replaySources(world), cluster: createClusterReader(kubeconfig) },
        checks: [],
        disabled: [],
      },
      writer: createClusterWriter(kubeconfig),
      clock: clockFrom(world.now),
    },
    close: () => kube.close(),
  };
}

export async function scratchDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
