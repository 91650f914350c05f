import type { AlertStatus } from './alert.js';
import { ErrorCodes, MedicError } from './errors.js';
import type { WorkloadRef } from './workload.js';

export const incidentStates = [
  'open',
  'gathering',
  'drafted',
  'awaiting-approval',
  'approved',
  'rejected',
  'executing',
  'verifying',
  'resolved',
  'failed',
  'rolled-back',
  'escalated',
] as const;

export type IncidentState = (typeof incidentStates)[number];

export const terminalStates: ReadonlySet<IncidentState> = new Set([
  'resolved',
  'failed',
  'escalated',
  'rejected',
  'rolled-back',
]);

/** States in which nothing has been done to the cluster yet, so a full resolution may simply close the incident. */
export const preActionStates: ReadonlySet<IncidentState> = new Set([
  'open',
  'gathering',
  'drafted',
  'awaiting-approval',
]);

const transitions: Record<IncidentState, readonly IncidentState[]> = {
  open: ['gathering', 'drafted', 'resolved', 'escalated'],
  gathering: ['drafted', 'resolved', 'escalated'],
  drafted: ['awaiting-approval', 'approved', 'resolved', 'escalated'],
  'awaiting-approval': ['approved', 'rejected', 'resolved', 'escalated'],
  approved: ['executing', 'escalated'],
  rejected: [],
  executing: ['verifying', 'failed', 'rolled-back', 'escalated'],
  verifying: ['resolved', 'failed', 'rolled-back', 'escalated'],
  'rolled-back': [],
  // A resolved incident that was closed only because its alerts cleared reopens when they fire again.
  resolved: ['open'],
  failed: [],
  // Only an escalation that never acted (a draft that said escalate, or a denied plan) closes on its own.
  escalated: ['resolved'],
};

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(from: IncidentState, to: IncidentState): void {
  if (!canTransition(from, to)) {
    throw new MedicError(ErrorCodes.invalidTransition, `incident cannot move from ${from} to ${to}`, {
      from,
      to,
    });
  }
}

export interface Incident {
  id: string;
  correlationKey: string;
  state: IncidentState;
  title: string;
  severity: string | null;
  cluster: string;
  namespace: string | null;
  workload: WorkloadRef | null;
  openedAt: string;
  updatedAt: string;
  lastAlertAt: string;
  resolvedAt: string | null;
  alertCount: number;
  firingCount: number;
}

export interface IncidentAlert {
  fingerprint: string;
  alertname: string;
  status: AlertStatus;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

const severityRank: Record<string, number> = { critical: 4, error: 3, high: 3, warning: 2, info: 1, none: 0 };

export function moreSevere(current: string | null, candidate: string | null): string | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return (severityRank[candidate] ?? 0) > (severityRank[current] ?? 0) ? candidate : current;
}

/** What the alerts alone say the incident should become; later stages decide everything else. */
export function stateAfterAlerts(
  state: IncidentState,
  firingCount: number,
  /** Whether anything was ever executed for the incident; an escalation before any action may close. */
  executed = true,
): IncidentState {
  if (firingCount === 0 && preActionStates.has(state)) return 'resolved';
  if (firingCount === 0 && state === 'escalated' && !executed) return 'resolved';
  if (firingCount > 0 && state === 'resolved') return 'open';
  return state;
}

export function newIncidentId(now: Date, random: () => string): string {
  const day = now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
  return `inc-${day}-${random()}`;
}
