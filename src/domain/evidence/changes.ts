import type { ClusterFacts } from './cluster-facts.js';
import type { KubeObject } from './telemetry.js';

export type ChangeKind = 'deploy' | 'config' | 'scale' | 'node';

export interface Change {
  at: string;
  kind: ChangeKind;
  what: string;
}

const scalingReasons = new Set(['ScalingReplicaSet', 'SuccessfulRescale']);
const nodeReasons = new Set([
  'NodeNotReady',
  'NodeReady',
  'NodeHasDiskPressure',
  'NodeHasMemoryPressure',
  'RegisteredNode',
  'Rebooted',
]);

function describeImages(before: Record<string, string> | undefined, after: Record<string, string>): string {
  const changed = Object.entries(after)
    .filter(([name, image]) => before?.[name] !== image)
    .map(([name, image]) => `${name} ${before?.[name] ?? '(new)'} → ${image}`);
  return changed.length > 0 ? changed.join(', ') : 'same images';
}

/** One time-ordered list of what changed in the window: the first thing an SRE asks for. */
export function whatChanged(facts: ClusterFacts, events: readonly KubeObject[], since: number): Change[] {
  const changes: Change[] = [];
  facts.rollouts.forEach((rollout, i) => {
    if (!rollout.createdAt || Date.parse(rollout.createdAt) < since) return;
    const previous = facts.rollouts[i + 1];
    const configOnly =
      rollout.templateChanges.length > 0 && rollout.templateChanges.every((path) => !/\/image$/.test(path));
    changes.push({
      at: rollout.createdAt,
      kind: configOnly ? 'config' : 'deploy',
      what: `revision ${rollout.revision} (${rollout.replicaSet}): ${describeImages(previous?.images, rollout.images)}${
        rollout.templateChanges.length > 0
          ? `; template changed at ${rollout.templateChanges.slice(0, 5).join(', ')}`
          : ''
      }`,
    });
  });
  for (const event of events) {
    const reason = String(event['reason'] ?? '');
    const at = String(event['lastTimestamp'] ?? event['eventTime'] ?? '');
    if (!at || Date.parse(at) < since) continue;
    const message = String(event['message'] ?? '').slice(0, 200);
    if (scalingReasons.has(reason)) changes.push({ at, kind: 'scale', what: message });
    else if (nodeReasons.has(reason)) changes.push({ at, kind: 'node', what: `${reason}: ${message}` });
  }
  return changes.sort((a, b) => a.at.localeCompare(b.at));
}
