import { type Alert, type CorrelationLabels, normaliseAlert } from '../../domain/alert.js';
import { defaultPayloadLimits, payloadValidator } from '../../domain/alertmanager-payload.js';
import { type CorrelateDeps, correlate } from '../../pipeline/correlate.js';
import type { AlertAdmission } from '../../ports/ingest-queue.js';

/**
 * What the BullMQ ingest queue's admit script decides for one batch on a fresh Redis: alerts repeated
 * in the batch are dropped (first kept); each correlation key with a fresh firing alert claims a new
 * incident id, which every alert of that key then carries; a key with only resolved alerts has none.
 */
export function admitFresh(alerts: readonly Alert[], newIncidentId: () => string): AlertAdmission[] {
  const seen = new Set<string>();
  const fresh = alerts.filter((alert) => {
    if (seen.has(alert.key)) return false;
    seen.add(alert.key);
    return true;
  });
  const ids = new Map<string, string>();
  for (const alert of fresh) {
    if (alert.status === 'firing' && !ids.has(alert.correlationKey)) {
      ids.set(alert.correlationKey, newIncidentId());
    }
  }
  return fresh.map((alert) => ({ alert, incidentId: ids.get(alert.correlationKey) ?? null }));
}

const validatePayload = payloadValidator(defaultPayloadLimits);

/**
 * A case's alert payload through the webhook's validation and normalisation, admitted as the ingest
 * queue would on a fresh Redis, and correlated: the id of the incident it opened, or null when its
 * alerts open none (only resolved ones). `where` names the payload in a validation error.
 */
export async function correlateCaseAlert(
  payload: unknown,
  context: { caseId: string; now: Date; labels: CorrelationLabels; where: string },
  deps: CorrelateDeps,
): Promise<string | null> {
  const validation = validatePayload(payload);
  if (!validation.ok) {
    const first = validation.problems[0];
    throw new Error(`${context.where}: ${first?.field}: ${first?.problem}`);
  }
  const alerts = validation.payload.alerts.map((alert) => normaliseAlert(alert, context.now, context.labels));
  let n = 0;
  const admissions = admitFresh(alerts, () => `inc-${context.caseId}-${++n}`);
  const outcome = await correlate(admissions, deps);
  return outcome.opened[0] ?? null;
}
