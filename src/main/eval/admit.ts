import type { Alert } from '../../domain/alert.js';
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
