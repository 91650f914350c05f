import type { EvidenceBundle, LogPatternEvidence } from '../../domain/evidence/bundle.js';
import type {
  ClusterFacts,
  ContainerRestart,
  Rollout,
  WarningEvent,
} from '../../domain/evidence/cluster-facts.js';
import type { SignalSummary } from '../../domain/evidence/signal-summary.js';
import type { Incident, IncidentAlert } from '../../domain/incident.js';
import type { DraftInput } from '../../ports/drafter.js';

export const PROTECTED_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

/** Rollouts younger than this count as "the change that just happened". */
export const RECENT_ROLLOUT_MINUTES = 120;

export interface Indexed<T> {
  item: T;
  ref: string;
}

/**
 * The evidence as the rules read it: structured fields only (never alert annotations), scoped to the
 * incident's own workload, each finding paired with the evidence reference that cites it.
 */
export interface Facts {
  incident: Incident;
  alerts: IncidentAlert[];
  evidence: EvidenceBundle | null;
  cluster: ClusterFacts | null;
  namespace: string | null;
  /** The incident's workload, with the kind the cluster reports when it knows better than the alert. */
  workload: { kind: string; name: string } | null;
  /** Names the incident's own service goes by in traces and metrics. */
  ownServices: ReadonlySet<string>;
  now: Date;
}

export function extractFacts(input: DraftInput): Facts {
  const { incident, alerts, evidence } = input;
  const cluster = evidence?.cluster ?? null;
  const alertWorkload = incident.workload;
  const clusterWorkload = cluster?.workload ?? null;
  const workload = alertWorkload
    ? {
        kind:
          clusterWorkload && clusterWorkload.name === alertWorkload.name && clusterWorkload.kind
            ? clusterWorkload.kind
            : alertWorkload.kind,
        name: alertWorkload.name,
      }
    : null;
  const ownServices = new Set<string>();
  if (workload && workload.kind !== 'Node') ownServices.add(workload.name);
  for (const alert of alerts) {
    for (const label of ['service', 'app', 'app_kubernetes_io_name']) {
      const value = alert.labels[label];
      if (value && workload && value.startsWith(workload.name)) ownServices.add(value);
    }
  }
  return {
    incident,
    alerts,
    evidence,
    cluster,
    namespace: incident.namespace,
    workload,
    ownServices,
    now: input.now,
  };
}

/** Whether a service name in traces or metrics is the incident's own (e.g. "checkout" or "checkout-api"). */
export function isOwnService(facts: Facts, service: string): boolean {
  if (facts.ownServices.has(service)) return true;
  const name = facts.workload?.kind === 'Node' ? null : facts.workload?.name;
  return !!name && (service.startsWith(`${name}-`) || service.startsWith(`${name}.`));
}

export function signals(facts: Facts, name: string, where: Record<string, string> = {}): SignalSummary[] {
  return (facts.evidence?.signals ?? []).filter(
    (s) => s.signal === name && Object.entries(where).every(([key, value]) => s.labels[key] === value),
  );
}

export const signalRef = (name: string): string => `signals.${name}`;

export function maxOf(
  summaries: readonly SignalSummary[],
  pick: (s: SignalSummary) => number | null,
): number | null {
  let best: number | null = null;
  for (const summary of summaries) {
    const value = pick(summary);
    if (value !== null && Number.isFinite(value) && (best === null || value > best)) best = value;
  }
  return best;
}

/** Whether a pod belongs to the incident's workload (by the controller's naming), or any pod when unknown. */
export function ownsPod(facts: Facts, pod: string): boolean {
  const workload = facts.workload;
  if (!workload || workload.kind === 'Node') return true;
  if (workload.kind === 'Pod') return pod === workload.name;
  return pod.startsWith(`${workload.name}-`);
}

export function restarts(
  facts: Facts,
  match: (restart: ContainerRestart) => boolean = () => true,
): Array<Indexed<ContainerRestart>> {
  return (facts.cluster?.restarts ?? [])
    .filter((r) => ownsPod(facts, r.pod) && match(r))
    .map((item) => ({ item, ref: `cluster.restarts[${item.pod}/${item.container}]` }));
}

export function warnings(
  facts: Facts,
  reason: RegExp | null,
  message: RegExp | null = null,
): Array<Indexed<WarningEvent>> {
  const out: Array<Indexed<WarningEvent>> = [];
  (facts.cluster?.warnings ?? []).forEach((item, i) => {
    if (reason && !reason.test(item.reason)) return;
    if (message && !message.test(item.message)) return;
    out.push({ item, ref: `cluster.warnings[${i}]` });
  });
  return out;
}

export function logPatterns(facts: Facts, pattern: RegExp): Array<Indexed<LogPatternEvidence>> {
  const out: Array<Indexed<LogPatternEvidence>> = [];
  (facts.evidence?.logs?.patterns ?? []).forEach((item, i) => {
    if (pattern.test(item.template) || pattern.test(item.sample))
      out.push({ item, ref: `logs.patterns[${i}]` });
  });
  return out;
}

/** The newest rollout if it happened recently, with the revision before it. */
export function recentRollout(
  facts: Facts,
  withinMinutes = RECENT_ROLLOUT_MINUTES,
): { current: Rollout; previous: Rollout | null; ref: string } | null {
  const [current, previous] = facts.cluster?.rollouts ?? [];
  if (!current || current.ageMinutes === null || current.ageMinutes > withinMinutes) return null;
  return { current, previous: previous ?? null, ref: 'cluster.rollouts[0]' };
}

export function changeRefsFor(facts: Facts, kind: string): string[] {
  const out: string[] = [];
  (facts.evidence?.changes ?? []).forEach((change, i) => {
    if (change.kind === kind) out.push(`changes[${i}]`);
  });
  return out;
}

/** Workload kinds a playbook can act on directly. */
export function actsOnWorkload(facts: Facts, kinds: readonly string[]): boolean {
  return !!facts.workload && !!facts.namespace && kinds.includes(facts.workload.kind);
}

export function workloadTarget(
  facts: Facts,
): { kind: 'Deployment' | 'StatefulSet' | 'DaemonSet'; namespace: string; name: string } | null {
  const workload = facts.workload;
  if (!workload || !facts.namespace) return null;
  if (workload.kind !== 'Deployment' && workload.kind !== 'StatefulSet' && workload.kind !== 'DaemonSet')
    return null;
  return { kind: workload.kind, namespace: facts.namespace, name: workload.name };
}

/** The most frequent value, for picking the container most restarts name. */
export function mostCommon(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export function workloadLabel(facts: Facts): string {
  const w = facts.workload;
  if (!w) return facts.namespace ? `namespace ${facts.namespace}` : 'the cluster';
  return w.kind === 'Node' ? `node ${w.name}` : `${w.kind} ${facts.namespace ?? '?'}/${w.name}`;
}
