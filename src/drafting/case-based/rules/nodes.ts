import { type Candidate, candidate, escalation } from '../candidate.js';
import { type Facts, maxOf, ownsPod, signals, warnings } from '../facts.js';
import { percent } from '../format.js';

const BAD_CONDITIONS = new Set([
  'Ready',
  'DiskPressure',
  'MemoryPressure',
  'PIDPressure',
  'NetworkUnavailable',
]);
const INSUFFICIENT = /Insufficient (cpu|memory)|didn't have enough/i;

/**
 * One unhealthy node: cordon it when the rest of the cluster has room, otherwise a human decides.
 * The node comes from the cluster's own node conditions, never from alert text.
 */
export function badNodeRule(facts: Facts): Candidate | null {
  const conditions = (facts.cluster?.nodeConditions ?? []).map((item, i) => ({
    item,
    ref: `cluster.nodeConditions[${i}]`,
  }));
  const bad = conditions.filter((c) => BAD_CONDITIONS.has(c.item.condition));
  if (bad.length === 0) return null;
  const nodes = [...new Set(bad.map((c) => c.item.node))];
  const incidentNode = facts.workload?.kind === 'Node' ? facts.workload.name : null;
  const node = incidentNode && nodes.includes(incidentNode) ? incidentNode : nodes[0];
  if (!node) return null;
  // Gather lists every node's conditions: only the incident's node, or one its pods run on, is its business.
  const runsThere = (facts.evidence?.signals ?? []).some(
    (s) => s.labels['node'] === node && s.labels['pod'] !== undefined && ownsPod(facts, s.labels['pod']),
  );
  const pressureNodes = nodes.filter((n) =>
    bad.some((c) => c.item.node === n && /Pressure$/.test(c.item.condition)),
  );
  const evicted = warnings(facts, /^Evict/).filter((w) => {
    const pod = /^Pod\/(.+)$/.exec(w.item.object)?.[1];
    return pod !== undefined && ownsPod(facts, pod);
  });
  const evictedThere = evicted.length > 0 && pressureNodes.length === 1 && pressureNodes[0] === node;
  if (incidentNode !== node && !runsThere && !evictedThere) return null;
  const what = bad
    .filter((c) => c.item.node === node)
    .map((c) =>
      c.item.condition === 'Ready'
        ? `NotReady${c.item.reason ? ` (${c.item.reason})` : ''}`
        : c.item.condition,
    )
    .join(', ');
  const refs = bad.filter((c) => c.item.node === node).map((c) => c.ref);
  const diagnosis = `Node ${node} is unhealthy: ${what}.`;
  const alreadyCordoned = conditions.some(
    (c) => c.item.node === node && c.item.condition === 'Unschedulable',
  );
  if (alreadyCordoned) {
    return escalation(
      'bad-node-cordoned',
      0.75,
      diagnosis,
      `${node} is already cordoned; draining or replacing it is a human decision.`,
      [...refs],
    );
  }
  // Spare room: other nodes seen in the metrics are not busy, and nothing is pending for lack of capacity.
  const others = [
    ...signals(facts, 'node_cpu_utilisation'),
    ...signals(facts, 'node_memory_available_bytes'),
  ].filter(
    (s) => s.labels['node'] !== undefined && s.labels['node'] !== node && !nodes.includes(s.labels['node']),
  );
  const busiest = maxOf(
    others.filter((s) => s.signal === 'node_cpu_utilisation'),
    (s) => s.last,
  );
  const capacityShort =
    (facts.cluster?.pendingPods ?? []).some((p) => INSUFFICIENT.test(p.message ?? '')) ||
    warnings(facts, /^FailedScheduling$/, INSUFFICIENT).length > 0;
  const knownHealthy = new Set(others.map((s) => s.labels['node'])).size;
  const noSpare = nodes.length > 1 || capacityShort || (busiest !== null && busiest >= 0.8);
  if (noSpare) {
    return escalation(
      'bad-node-no-spare',
      0.8,
      diagnosis,
      `${nodes.length > 1 ? `${nodes.length} nodes are unhealthy (${nodes.join(', ')}); ` : ''}${
        capacityShort ? 'pods are already Pending for lack of capacity; ' : ''
      }${busiest !== null && busiest >= 0.8 ? `the remaining nodes run at up to ${percent(busiest)} CPU; ` : ''}cordoning would leave too little room, so capacity is a human decision.`,
      refs,
    );
  }
  return candidate({
    rule: 'bad-node',
    playbook: 'cordon-node',
    target: { kind: 'Node', name: node },
    params: {},
    score: 0.8,
    diagnosis,
    rationale: `Only ${node} reports ${what}; ${
      knownHealthy > 0
        ? `${knownHealthy} other node(s) in the metrics are healthy${busiest !== null ? ` (CPU at most ${percent(busiest)})` : ''}`
        : 'no other node reports a problem'
    } and no pod is Pending for lack of capacity. Cordoning stops new pods landing on it without evicting the running ones.`,
    refs,
    risks: [
      'Cordoning does not move running pods; drain or replace the node once someone has looked at it.',
      ...(knownHealthy === 0
        ? ['The number of spare nodes is not in the evidence; check capacity before approving.']
        : []),
    ],
  });
}
