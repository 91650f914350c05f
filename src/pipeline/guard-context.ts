import { type Draft, refOf } from '../domain/draft.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { Incident } from '../domain/incident.js';
import type { ClusterReader, ObjectRef as ReadRef } from '../ports/cluster.js';
import type { IncidentStore } from '../ports/incident-store.js';

/** The live state guard judges a draft against, read from the cluster and the store. */
export interface GuardFacts {
  target: KubeObject | null;
  targetNamespace: KubeObject | null;
  replicaSets: KubeObject[];
  limitRanges: KubeObject[];
  resourceQuotas: KubeObject[];
  nodes: KubeObject[];
  recent: { workloadLastHour: number; clusterLastHour: number; deletePodsThisIncident: number };
}

const HOUR_MS = 3_600_000;

function selectorOf(object: KubeObject): string | null {
  const matchLabels = (object.spec?.['selector'] as { matchLabels?: Record<string, string> } | undefined)
    ?.matchLabels;
  if (!matchLabels) return null;
  return Object.entries(matchLabels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export async function guardFacts(
  draft: Draft,
  incident: Incident,
  deps: { cluster: ClusterReader | null; store: IncidentStore; now: Date },
): Promise<GuardFacts> {
  const facts: GuardFacts = {
    target: null,
    targetNamespace: null,
    replicaSets: [],
    limitRanges: [],
    resourceQuotas: [],
    nodes: [],
    recent: { workloadLastHour: 0, clusterLastHour: 0, deletePodsThisIncident: 0 },
  };
  const since = new Date(deps.now.getTime() - HOUR_MS).toISOString();
  const key = incident.correlationKey;
  // Reads only: outside a transaction, so guard never queues behind (or blocks) the store's writers.
  const [workloadLastHour, clusterLastHour, thisIncident] = await Promise.all([
    deps.store.countExecutions({ since, correlationKey: key }),
    deps.store.countExecutions({ since, cluster: incident.cluster }),
    // Counts every execution of the workload since the incident opened: over-counting keeps the
    // one-pod-deletion-per-incident rule on the safe side.
    deps.store.countExecutions({ since: incident.openedAt, correlationKey: key }),
  ]);
  facts.recent = { workloadLastHour, clusterLastHour, deletePodsThisIncident: thisIncident };
  const { target } = draft;
  if (!target || !deps.cluster) return facts;
  facts.target = await deps.cluster.get(refOf(target) as ReadRef);
  const namespace = target.namespace;
  const selector = facts.target && target.kind === 'Deployment' ? selectorOf(facts.target) : null;
  const [replicaSets, limits, nodes, targetNamespace] = await Promise.all([
    namespace && selector ? deps.cluster.replicaSets(namespace, selector) : Promise.resolve([]),
    namespace ? deps.cluster.namespaceLimits(namespace) : Promise.resolve(null),
    target.kind === 'Node' ? deps.cluster.nodes() : Promise.resolve([]),
    namespace ? deps.cluster.namespace(namespace) : Promise.resolve(null),
  ]);
  facts.targetNamespace = targetNamespace;
  facts.replicaSets = replicaSets;
  facts.limitRanges = limits?.limitRanges ?? [];
  facts.resourceQuotas = limits?.resourceQuotas ?? [];
  facts.nodes = nodes;
  return facts;
}
