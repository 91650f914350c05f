import { createHash } from 'node:crypto';
import type { AlertmanagerAlert } from './alertmanager-payload.js';
import { ErrorCodes, MedicError } from './errors.js';
import { type WorkloadLabelSets, type WorkloadRef, workloadFromLabels } from './workload.js';

export type AlertStatus = 'firing' | 'resolved';

/** One alert as medic keeps it, whatever shape it arrived in. */
export interface Alert {
  /** Idempotency key: the same fingerprint, start and status is the same alert, however often delivered. */
  key: string;
  fingerprint: string;
  status: AlertStatus;
  alertname: string;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string | null;
  receivedAt: string;
  cluster: string;
  namespace: string | null;
  workload: WorkloadRef | null;
  correlationKey: string;
}

export interface CorrelationLabels {
  cluster: string[];
  namespace: string[];
  workload: WorkloadLabelSets;
  defaultCluster: string;
}

// Alertmanager sends Go's zero time for a firing alert that has no end yet.
const ZERO_TIME_PREFIX = '0001-01-01';

function instant(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new MedicError(ErrorCodes.badRequest, `${field}: "${value.slice(0, 40)}" is not a valid instant`, {
      field,
    });
  }
  return ms;
}

function fingerprintOf(labels: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function alertKey(fingerprint: string, startsAtMs: number, status: AlertStatus): string {
  return `${fingerprint}.${startsAtMs.toString(36)}.${status === 'firing' ? 'f' : 'r'}`;
}

function pick(labels: Readonly<Record<string, string>>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = labels[name];
    if (value) return value;
  }
  return null;
}

/**
 * Alerts about one workload share a key; an alert that names no workload is keyed by its
 * alertname so that unrelated cluster-wide alerts do not merge into one incident.
 */
export function correlationKeyFor(
  cluster: string,
  namespace: string | null,
  workload: WorkloadRef | null,
  alertname: string,
): string {
  const scope = workload
    ? `${workload.kind === 'Node' ? 'node' : 'workload'}:${workload.name}`
    : `alertname:${alertname}`;
  return `${cluster}/${namespace ?? '_'}/${scope}`;
}

export function normaliseAlert(
  raw: AlertmanagerAlert,
  receivedAt: Date,
  labelsConfig: CorrelationLabels,
): Alert {
  // The payload was parsed for this request alone, so its objects can be kept rather than copied.
  const labels = raw.labels;
  const fingerprint = raw.fingerprint ?? fingerprintOf(labels);
  const startsAtMs = instant(raw.startsAt, 'startsAt');
  const endsAt =
    raw.endsAt && !raw.endsAt.startsWith(ZERO_TIME_PREFIX)
      ? new Date(instant(raw.endsAt, 'endsAt')).toISOString()
      : null;
  const alertname = labels['alertname'] ?? 'unknown';
  const cluster = pick(labels, labelsConfig.cluster) ?? labelsConfig.defaultCluster;
  const workload = workloadFromLabels(labels, labelsConfig.workload);
  const namespace = workload?.kind === 'Node' ? null : pick(labels, labelsConfig.namespace);
  return {
    key: alertKey(fingerprint, startsAtMs, raw.status),
    fingerprint,
    status: raw.status,
    alertname,
    severity: labels['severity'] ?? null,
    labels,
    annotations: raw.annotations ?? {},
    startsAt: new Date(startsAtMs).toISOString(),
    endsAt,
    generatorURL: raw.generatorURL ?? null,
    receivedAt: receivedAt.toISOString(),
    cluster,
    namespace,
    workload,
    correlationKey: correlationKeyFor(cluster, namespace, workload, alertname),
  };
}
