import { alertExpressionOf } from '../domain/evidence/alert-expression.js';
import {
  type EvidenceBundle,
  fitToBudget,
  type SourceName,
  type SourceReport,
} from '../domain/evidence/bundle.js';
import { whatChanged } from '../domain/evidence/changes.js';
import { type ClusterSnapshot, clusterFacts } from '../domain/evidence/cluster-facts.js';
import { LogPatternMiner } from '../domain/evidence/log-patterns.js';
import { maskDeep } from '../domain/evidence/masking.js';
import { summariseSignals } from '../domain/evidence/signal-summary.js';
import { type SignalName, signalNames } from '../domain/evidence/signals.js';
import { summariseTraces } from '../domain/evidence/trace-summary.js';
import type { Incident, IncidentAlert } from '../domain/incident.js';
import type { ClusterReader } from '../ports/cluster.js';
import type { LogSource } from '../ports/log-source.js';
import type { MetricsSource, RangeWindow } from '../ports/metrics-source.js';
import type { TraceSource } from '../ports/trace-source.js';
import { type SourceGuard, unavailableReason } from './source-guard.js';

export interface EvidenceSources {
  metrics?: MetricsSource;
  logs?: LogSource;
  traces?: TraceSource;
  cluster?: ClusterReader;
}

export interface GatherSettings {
  lookbackMinutes: number;
  baselineMinutes: number;
  stepSeconds: number;
  maxChars: number;
  logLines: number;
  traces: number;
  timeoutMs: Record<SourceName, number>;
}

export interface GatherDeps {
  sources: EvidenceSources;
  guards: Record<SourceName, SourceGuard>;
  settings: GatherSettings;
  now: Date;
}

const podSignals: SignalName[] = signalNames.filter((name) => !name.startsWith('node_'));
const nodeSignals: SignalName[] = signalNames.filter((name) => name.startsWith('node_'));

async function collect<T>(
  name: SourceName,
  deps: GatherDeps,
  run: (() => Promise<T>) | null,
): Promise<{ report: SourceReport; value: T | null }> {
  if (!run) return { report: { source: name, state: 'unconfigured', reason: null, ms: 0 }, value: null };
  const started = performance.now();
  try {
    const value = await deps.guards[name].execute(run);
    return {
      report: { source: name, state: 'ok', reason: null, ms: Math.round(performance.now() - started) },
      value,
    };
  } catch (error) {
    const reason = unavailableReason(error, deps.settings.timeoutMs[name]);
    return {
      report: { source: name, state: 'unavailable', reason, ms: Math.round(performance.now() - started) },
      value: null,
    };
  }
}

function services(incident: Incident, alerts: readonly IncidentAlert[]): string[] {
  const names = new Set<string>();
  if (incident.workload && incident.workload.kind !== 'Node') names.add(incident.workload.name);
  for (const alert of alerts) {
    for (const label of ['service', 'job_name', 'app', 'app_kubernetes_io_name']) {
      const value = alert.labels[label];
      if (value) names.add(value);
    }
  }
  return [...names];
}

async function clusterSnapshot(cluster: ClusterReader, incident: Incident): Promise<ClusterSnapshot> {
  const namespace = incident.namespace;
  const workload = incident.workload;
  const kind = workload?.kind;
  const isWorkload = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet';
  const object =
    workload && namespace && isWorkload ? await cluster.get({ kind, namespace, name: workload.name }) : null;
  const matchLabels = (object?.spec?.['selector'] as { matchLabels?: Record<string, string> } | undefined)
    ?.matchLabels;
  const selector = matchLabels
    ? Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined;
  const [replicaSets, pods, events, hpas, nodes] = await Promise.all([
    namespace && selector && kind === 'Deployment'
      ? cluster.replicaSets(namespace, selector)
      : Promise.resolve([]),
    namespace ? cluster.pods(namespace, selector) : Promise.resolve([]),
    namespace ? cluster.events(namespace) : Promise.resolve([]),
    namespace ? cluster.horizontalPodAutoscalers(namespace) : Promise.resolve([]),
    cluster.nodes(),
  ]);
  const podNames = new Set(pods.map((pod) => pod.metadata.name));
  const relevantEvents = events.filter((event) => {
    const involved = (event['involvedObject'] ?? {}) as { name?: string; kind?: string };
    const name = involved.name ?? '';
    return (
      podNames.has(name) ||
      name === workload?.name ||
      replicaSets.some((rs) => rs.metadata.name === name) ||
      involved.kind === 'Node'
    );
  });
  const target = workload?.name;
  const relevantHpas = hpas.filter(
    (hpa) => (hpa.spec?.['scaleTargetRef'] as { name?: string } | undefined)?.name === target,
  );
  return { workload: object, replicaSets, pods, events: relevantEvents, hpas: relevantHpas, nodes };
}

/**
 * Collects what an on-call engineer looks at first, from every configured source in parallel. A source
 * that is down, slow or answers garbage is reported as unavailable; the incident goes on without it.
 * The result is masked for secrets and cut to the size budget before anyone stores or reads it.
 */
export async function gatherEvidence(
  incident: Incident,
  alerts: readonly IncidentAlert[],
  deps: GatherDeps,
): Promise<EvidenceBundle> {
  const { settings, sources } = deps;
  const firstStart = Math.min(
    ...alerts.map((alert) => Date.parse(alert.startsAt)),
    Date.parse(incident.openedAt),
  );
  const end = deps.now.getTime();
  const start = Math.min(firstStart, end) - settings.lookbackMinutes * 60_000;
  const baselineStart = start - settings.baselineMinutes * 60_000;
  const range: RangeWindow = {
    start: new Date(baselineStart),
    end: new Date(end),
    stepSeconds: settings.stepSeconds,
  };
  const namespace = incident.namespace ?? undefined;
  const workload = incident.workload;
  const target =
    workload?.kind === 'Node'
      ? { node: workload.name }
      : { ...(namespace ? { namespace } : {}), ...(workload ? { workload: workload.name } : {}) };
  const expression =
    alerts.map((alert) => alertExpressionOf(alert.generatorURL)).find((expr) => expr !== null) ?? null;

  const { metrics: metricsSource, logs: logSource, traces: traceSource, cluster: clusterSource } = sources;
  const signalSet = workload?.kind === 'Node' ? nodeSignals : podSignals;
  const logQuery = {
    ...(namespace ? { namespace } : {}),
    ...(workload && workload.kind !== 'Node' ? { podPrefix: `${workload.name}-` } : {}),
    start: new Date(start),
    end: new Date(end),
    limit: settings.logLines,
  };
  const traceQuery = {
    services: services(incident, alerts),
    start: new Date(start),
    end: new Date(end),
    limit: settings.traces,
  };
  const [metrics, expr, logs, traces, cluster] = await Promise.all([
    collect('metrics', deps, metricsSource ? () => metricsSource.signals(signalSet, target, range) : null),
    expression && metricsSource
      ? deps.guards.metrics.execute(() => metricsSource.expression(expression, range)).catch(() => null)
      : Promise.resolve(null),
    collect('logs', deps, logSource ? () => logSource.search(logQuery) : null),
    collect('traces', deps, traceSource ? () => traceSource.spans(traceQuery) : null),
    collect('kubernetes', deps, clusterSource ? () => clusterSnapshot(clusterSource, incident) : null),
  ]);

  let logEvidence: EvidenceBundle['logs'] = null;
  if (logs.value) {
    const miner = new LogPatternMiner();
    for (const line of logs.value.lines)
      miner.add({ timestamp: line.timestamp, message: line.message, level: line.level });
    logEvidence = {
      total: logs.value.total,
      patterns: miner.patterns().map((p) => ({
        template: p.template,
        count: p.count,
        firstSeen: p.firstSeen,
        lastSeen: p.lastSeen,
        level: p.level,
        sample: p.sample,
      })),
    };
  }
  const facts = cluster.value ? clusterFacts(cluster.value, end) : null;
  const bundle: EvidenceBundle = {
    incidentId: incident.id,
    collectedAt: deps.now.toISOString(),
    window: {
      baselineStart: new Date(baselineStart).toISOString(),
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    },
    sources: [metrics.report, logs.report, traces.report, cluster.report],
    signals: metrics.value ? summariseSignals(metrics.value, start) : [],
    alertExpression:
      expression && expr ? { expr: expression, series: summariseSignals(expr, start).slice(0, 10) } : null,
    logs: logEvidence,
    traces: traces.value ? summariseTraces(traces.value, (end - start) / 1000) : null,
    cluster: facts,
    changes: facts && cluster.value ? whatChanged(facts, cluster.value.events, start) : [],
    trimmed: [],
  };
  return fitToBudget(maskDeep(bundle), settings.maxChars);
}
