import { type Candidate, candidate } from '../candidate.js';
import { type Facts, maxOf, restarts, signalRef, signals, warnings } from '../facts.js';

/** An alert that fired and cleared within this long counts as a blip. */
const BLIP_MS = 15 * 60_000;

/** Every alert of the incident has cleared: nothing to do. */
export function resolvedRule(facts: Facts): Candidate | null {
  const { alerts } = facts;
  if (alerts.length === 0 || alerts.some((alert) => alert.status === 'firing')) return null;
  const names = [...new Set(alerts.map((alert) => alert.alertname))].join(', ');
  return candidate({
    rule: 'resolved',
    playbook: 'none',
    score: 0.95,
    diagnosis: `All ${alerts.length} alert(s) (${names}) have resolved; nothing is failing now.`,
    rationale: `${alerts.length} of ${alerts.length} alerts report status resolved, so there is nothing left to remediate.`,
  });
}

/** What would make an alert worth acting on even if it flaps: restarts, a resource at its limit, real errors. */
function substantialEvidence(facts: Facts): boolean {
  if (restarts(facts, (r) => r.restarts >= 2 || r.waitingReason !== null).length > 0) return true;
  if (warnings(facts, /OOM|BackOff|Failed|Unhealthy|ProgressDeadline|Evict/).length > 0) return true;
  const nearLimit = maxOf(
    [...signals(facts, 'memory_working_set_bytes'), ...signals(facts, 'cpu_usage_cores')],
    (s) => s.ratioToReference,
  );
  if (nearLimit !== null && nearLimit >= 0.9) return true;
  const errors = maxOf(signals(facts, 'http_error_ratio'), (s) => s.last);
  return errors !== null && errors >= 0.05;
}

/** An alert that keeps firing and clearing on its own, with nothing behind it. */
export function flappingRule(facts: Facts): Candidate | null {
  const { alerts } = facts;
  const blips = alerts.filter(
    (a) =>
      a.status === 'resolved' &&
      a.endsAt !== null &&
      Date.parse(a.endsAt) - Date.parse(a.startsAt) <= BLIP_MS,
  );
  // The same fingerprint re-fired after clearing: first seen long before its current start.
  const refired = alerts.filter((a) => Date.parse(a.startsAt) - Date.parse(a.firstSeenAt) > BLIP_MS);
  const flaps = blips.length + refired.length;
  if (flaps < 2 || substantialEvidence(facts)) return null;
  const refs = [signalRef('http_error_ratio')].filter(() => signals(facts, 'http_error_ratio').length > 0);
  return candidate({
    rule: 'flapping',
    playbook: 'none',
    score: 0.6,
    diagnosis: `The alert is flapping: it fired and cleared ${flaps} times, and the evidence shows no restarts, no resource at its limit and no error rate above 5%.`,
    rationale: `${blips.length} alert(s) resolved within ${BLIP_MS / 60_000} minutes of starting and ${refired.length} re-fired after clearing; no restarts, warning events or saturated resources were found, so acting would only add risk. Tune the alert's threshold or 'for' duration instead.`,
    refs,
    risks: [
      'If the alert reflects a real intermittent fault, it will fire again; tune its threshold or for-duration.',
    ],
  });
}
