/**
 * Incident signature: the text an incident is embedded by, so that incidents with the same failure
 * mode land close together whatever pod, node or IP they happened on. Pure.
 *
 * Identity (namespace, workload, container, severity) is kept but volatile tokens are dropped: pod
 * hashes, StatefulSet ordinals, IPs, ports, UUIDs, long hex ids, numbers and log placeholders.
 * Symptoms come first and in a fixed order, each section sorted and de-duplicated, so the same
 * incident always yields the same text.
 */
import type { EvidenceBundle } from '../evidence/bundle.js';
import type { SignalSummary } from '../evidence/signal-summary.js';
import { workloadFromPodName } from '../workload.js';

export type AnomalyDirection = 'near limit' | 'rising' | 'falling';

export interface SignalAnomaly {
  /** Signal name, e.g. `memory_working_set_bytes`. */
  signal: string;
  direction: AnomalyDirection;
}

/** Everything a signature is built from; every part but `alertnames` may be left out. */
export interface SignatureInput {
  alertnames: readonly string[];
  /** Alert or target labels; normalised by `normaliseLabels`. */
  labels?: Readonly<Record<string, string>> | undefined;
  anomalies?: readonly SignalAnomaly[] | undefined;
  /** Mined log templates, most telling first; at most `MAX_LOG_TEMPLATES` are used. */
  logTemplates?: readonly string[] | undefined;
  /** Caller → callee service pairs whose calls failed. */
  traceErrorEdges?: readonly { from: string; to: string }[] | undefined;
  /** Last termination reasons of restarted containers, e.g. `OOMKilled`, `Error`. */
  terminationReasons?: readonly string[] | undefined;
  /** Container waiting reasons, e.g. `CrashLoopBackOff`, `ImagePullBackOff`. */
  waitingReasons?: readonly string[] | undefined;
  hpaAtMax?: boolean | undefined;
  /** Abnormal node conditions, e.g. `MemoryPressure`, `NotReady`. */
  nodeConditions?: readonly string[] | undefined;
  /** Warning event reasons, e.g. `FailedScheduling`, `Unhealthy`. */
  warningReasons?: readonly string[] | undefined;
  /** Kinds of change in the window: `deploy`, `config`, `scale`, `node`. */
  changes?: readonly string[] | undefined;
  diagnosis?: string | null | undefined;
}

export const MAX_LOG_TEMPLATES = 8;

const KEPT_LABELS = ['namespace', 'workload', 'container', 'severity'] as const;
const WORKLOAD_LABELS = [
  'workload',
  'deployment',
  'statefulset',
  'daemonset',
  'job_name',
  'cronjob',
  'app_kubernetes_io_name',
  'app',
];

const VOLATILE: readonly RegExp[] = [
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, // UUID
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, // IPv4 with optional port
  /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}(?![\w:])/gi, // IPv6, clock times
  /:\d{2,5}\b/g, // a port
  /\b0x[0-9a-f]+\b/gi, // hex literals, addresses
  /\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, // hex ids, digests
  /<[A-Za-z*]{1,6}>/g, // log-miner placeholders: <*>, <NUM>, <IP>…
  /\b\d+(?:\.\d+)?(?:ms|s|m|h|mi|gi|ki|%)?\b/gi, // numbers, durations, sizes
];

/** Removes tokens that change from one occurrence of an incident to the next. */
export function scrubVolatile(text: string): string {
  let out = text;
  for (const pattern of VOLATILE) out = out.replace(pattern, ' ');
  return out.replace(/\s+/g, ' ').trim();
}

/** `checkout-7d9f8b6c5d-x2k9p` → `checkout`; `redis-2` → `redis`. */
export function workloadFromPod(pod: string): string {
  return workloadFromPodName(pod).name;
}

/** Keeps namespace, workload, container and severity; workload falls back to the pod name without its hash. */
export function normaliseLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const get = (key: string): string | undefined => {
    const value = labels[key]?.trim();
    return value ? value : undefined;
  };
  const out: Record<string, string> = {};
  // kube-state-metrics alerts carry its own `job`/`service`: the pod names the workload better.
  const workload =
    WORKLOAD_LABELS.map(get).find((v) => v !== undefined) ??
    mapOpt(get('pod'), workloadFromPod) ??
    get('service');
  const values: Record<(typeof KEPT_LABELS)[number], string | undefined> = {
    namespace: get('namespace') ?? get('exported_namespace'),
    workload,
    container: get('container'),
    severity: get('severity')?.toLowerCase(),
  };
  for (const key of KEPT_LABELS) {
    const value = values[key];
    if (value === undefined) continue;
    const clean = scrubVolatile(key === 'workload' ? workloadFromPod(value) : value);
    if (clean) out[key] = clean;
  }
  return out;
}

function mapOpt<T, U>(value: T | undefined, f: (v: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}

function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set([...values].map((v) => v.trim()).filter((v) => v.length > 0))].sort();
}

/** Builds the signature text. Sections with nothing in them are left out. */
export function signatureText(input: SignatureInput): string {
  const lines: string[] = [];
  const add = (section: string, items: readonly string[], separator = '; ') => {
    if (items.length > 0) lines.push(`${section}: ${items.join(separator)}`);
  };
  add('alert', uniqueSorted(input.alertnames), ' ');
  const labels = normaliseLabels(input.labels ?? {});
  add(
    'labels',
    KEPT_LABELS.flatMap((key) => (labels[key] ? [`${key} ${labels[key]}`] : [])),
    ' ',
  );
  add('signals', uniqueSorted((input.anomalies ?? []).map((a) => `${a.signal} ${a.direction}`)));
  const cluster = uniqueSorted([
    ...(input.terminationReasons ?? []).map((r) => `terminated ${r}`),
    ...(input.waitingReasons ?? []).map((r) => `waiting ${r}`),
    ...(input.nodeConditions ?? []).map((c) => `node ${c}`),
    ...(input.warningReasons ?? []).map((r) => `event ${r}`),
    ...(input.hpaAtMax ? ['hpa at max replicas'] : []),
  ]);
  add('cluster', cluster);
  add('changes', uniqueSorted((input.changes ?? []).map((c) => `recent ${c}`)));
  add('traces', uniqueSorted((input.traceErrorEdges ?? []).map((e) => `${e.from} -> ${e.to} errors`)));
  const templates: string[] = [];
  for (const template of input.logTemplates ?? []) {
    const clean = scrubVolatile(template);
    if (clean && !templates.includes(clean)) templates.push(clean);
    if (templates.length >= MAX_LOG_TEMPLATES) break;
  }
  add('logs', templates);
  const diagnosis = input.diagnosis ? scrubVolatile(input.diagnosis) : '';
  if (diagnosis) lines.push(`diagnosis: ${diagnosis}`);
  return lines.join('\n');
}

const COUNTER = /restarts|oom_kills|errors_total|_failures/;

/** The direction in which a summarised signal is abnormal, or null when it looks normal. */
export function anomalyOf(summary: SignalSummary): AnomalyDirection | null {
  if (summary.ratioToReference !== null && summary.ratioToReference >= 0.9) return 'near limit';
  if (COUNTER.test(summary.signal) && summary.max > summary.min) return 'rising';
  if (summary.changeRatio !== null) {
    if (summary.changeRatio >= 1) return 'rising';
    if (summary.changeRatio <= -0.5) return 'falling';
  }
  return null;
}

const LEVEL_ORDER: Record<string, number> = { fatal: 0, critical: 0, panic: 0, error: 1, err: 1, warn: 2 };
const ABNORMAL_WHEN_TRUE = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

/** Maps an evidence bundle (plus the alert's names and labels) onto a `SignatureInput`. */
export function signatureFromEvidence(
  bundle: EvidenceBundle,
  alertnames: readonly string[],
  options: { labels?: Readonly<Record<string, string>>; diagnosis?: string | null } = {},
): SignatureInput {
  const anomalies: SignalAnomaly[] = [];
  for (const summary of [...bundle.signals, ...(bundle.alertExpression?.series ?? [])]) {
    const direction = anomalyOf(summary);
    if (direction) anomalies.push({ signal: summary.signal, direction });
  }
  const patterns = [...(bundle.logs?.patterns ?? [])].sort(
    (a, b) => (LEVEL_ORDER[a.level ?? ''] ?? 9) - (LEVEL_ORDER[b.level ?? ''] ?? 9) || b.count - a.count,
  );
  const cluster = bundle.cluster;
  const nodeConditions = (cluster?.nodeConditions ?? []).flatMap((c) => {
    if (c.condition === 'Ready' && c.status !== 'True') return ['NotReady'];
    return ABNORMAL_WHEN_TRUE.has(c.condition) && c.status === 'True' ? [c.condition] : [];
  });
  return {
    alertnames,
    labels: options.labels,
    anomalies,
    logTemplates: patterns.map((p) => p.template),
    traceErrorEdges: (bundle.traces?.edges ?? []).filter((e) => e.errors > 0),
    terminationReasons: (cluster?.restarts ?? []).flatMap((r) => (r.lastReason ? [r.lastReason] : [])),
    waitingReasons: (cluster?.restarts ?? []).flatMap((r) => (r.waitingReason ? [r.waitingReason] : [])),
    hpaAtMax: (cluster?.hpasAtMax.length ?? 0) > 0,
    nodeConditions,
    warningReasons: [
      ...(cluster?.warnings ?? []).map((w) => w.reason),
      ...(cluster?.pendingPods ?? []).flatMap((p) => (p.reason ? [p.reason] : [])),
    ],
    changes: bundle.changes.map((c) => c.kind),
    diagnosis: options.diagnosis,
  };
}
