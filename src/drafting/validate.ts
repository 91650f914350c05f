import type { Draft, Target } from '../domain/draft.js';
import { NON_ACTING_PLAYBOOKS } from '../domain/draft.js';
import type { EvidenceBundle } from '../domain/evidence/bundle.js';
import type { Incident } from '../domain/incident.js';
import type { PlaybookCatalog } from '../domain/playbook.js';

export interface DraftScope {
  catalog: PlaybookCatalog;
  incident: Incident;
  evidence: EvidenceBundle | null;
}

/** The objects a draft may act on, read only from the incident and structured evidence, never free text. */
export interface AllowedTargets {
  namespace: string | null;
  workloads: Set<string>;
  pods: Set<string>;
  hpas: Set<string>;
  nodes: Set<string>;
}

export function allowedTargets(scope: Omit<DraftScope, 'catalog'>): AllowedTargets {
  const { incident, evidence } = scope;
  const workload = incident.workload;
  const cluster = evidence?.cluster ?? null;
  const traces = evidence?.traces ?? null;
  const workloads = new Set<string>();
  const pods = new Set<string>();
  const hpas = new Set<string>();
  const nodes = new Set<string>();

  if (workload && workload.kind !== 'Node' && workload.kind !== 'Pod') {
    workloads.add(workload.name);
    hpas.add(workload.name);
  }
  if (workload?.kind === 'Pod') pods.add(workload.name);
  if (workload?.kind === 'Node') nodes.add(workload.name);
  if (cluster?.workload) {
    workloads.add(cluster.workload.name);
    hpas.add(cluster.workload.name);
  }
  for (const restart of cluster?.restarts ?? []) pods.add(restart.pod);
  for (const pending of cluster?.pendingPods ?? []) pods.add(pending.pod);
  // Per-pod series were queried for the incident's own workload, so their pod labels are its pods.
  for (const signal of evidence?.signals ?? []) {
    const pod = signal.labels['pod'];
    const namespace = signal.labels['namespace'];
    if (pod && (namespace === undefined || namespace === incident.namespace)) pods.add(pod);
  }
  for (const hpa of cluster?.hpasAtMax ?? []) hpas.add(hpa.name);
  for (const condition of cluster?.nodeConditions ?? []) nodes.add(condition.node);
  // Trace evidence names services where errors start and the ones called downstream: those workloads
  // are in scope too, but only inside the incident's namespace (checked by the caller).
  for (const origin of traces?.errorOrigins ?? []) workloads.add(origin.service);
  for (const edge of traces?.edges ?? []) workloads.add(edge.to);

  return { namespace: incident.namespace, workloads, pods, hpas, nodes };
}

function describe(target: Target): string {
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
}

function scopeProblems(target: Target, allowed: AllowedTargets): string[] {
  if (target.kind === 'Node') {
    const problems: string[] = [];
    if (target.namespace !== undefined)
      problems.push(`A Node target takes no namespace (got "${target.namespace}").`);
    if (!allowed.nodes.has(target.name)) {
      problems.push(`Node ${target.name} is not named by the incident or its node conditions.`);
    }
    return problems;
  }
  if (allowed.namespace === null) {
    return [`The incident has no namespace, so ${describe(target)} cannot be shown to be within its scope.`];
  }
  if (target.namespace !== allowed.namespace) {
    return [
      `Target ${describe(target)} is outside the incident's namespace "${allowed.namespace}"; set target.namespace to "${allowed.namespace}".`,
    ];
  }
  const names =
    target.kind === 'Pod'
      ? allowed.pods
      : target.kind === 'HorizontalPodAutoscaler'
        ? allowed.hpas
        : allowed.workloads;
  if (names.has(target.name)) return [];
  const known = [...names].slice(0, 10).join(', ') || 'none';
  return [`Target ${describe(target)} is not part of the incident (allowed ${target.kind} names: ${known}).`];
}

/** Everything wrong with a draft as sentences a model (or a person) can act on; empty when it may proceed. */
export function validateDraft(draft: Draft, scope: DraftScope): string[] {
  const playbook = scope.catalog.get(draft.playbook);
  if (!playbook) {
    const ids = scope.catalog
      .list()
      .map((p) => p.id)
      .join(', ');
    return [`Playbook "${draft.playbook}" does not exist; choose one of: ${ids}.`];
  }
  const problems = scope.catalog
    .checkParams(playbook.id, draft.params)
    .map((problem) => `Parameter problem for ${playbook.id}: ${problem}.`);

  if (NON_ACTING_PLAYBOOKS.has(playbook.id) || playbook.targetKinds.length === 0) {
    if (draft.target !== null) problems.push(`Playbook ${playbook.id} takes no target; set target to null.`);
    return problems;
  }
  if (draft.target === null) {
    problems.push(`Playbook ${playbook.id} needs a target of kind ${playbook.targetKinds.join(' or ')}.`);
    return problems;
  }
  if (!playbook.targetKinds.includes(draft.target.kind)) {
    problems.push(
      `Playbook ${playbook.id} cannot act on a ${draft.target.kind}; its target must be a ${playbook.targetKinds.join(' or ')}.`,
    );
  }
  problems.push(...scopeProblems(draft.target, allowedTargets(scope)));
  return problems;
}
