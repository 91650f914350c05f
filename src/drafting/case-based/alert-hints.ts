import type { Candidate } from './candidate.js';
import type { Facts } from './facts.js';

/** Small enough to break near-ties only: the evidence decides, the alert's name leans. */
export const ALERT_HINT = 0.05;

// Alert names are labels set by the alerting rules (structured), not free text; matched on the name alone.
const hints: Array<{ rules: RegExp; alertnames: RegExp }> = [
  { rules: /^(oom|oom-after-rollout|memory-leak)$/, alertnames: /OOM|Memory/i },
  { rules: /^cpu-throttling$/, alertnames: /Throttl/i },
  { rules: /^hpa-at-max$/, alertnames: /Hpa|Autoscal/i },
  { rules: /^consumer-lag/, alertnames: /Lag/i },
  { rules: /^bad-node/, alertnames: /^(Kube)?Node/i },
  { rules: /^liveness-probe$/, alertnames: /Probe|Liveness/i },
  {
    rules: /^(stuck-rollout|crash-after-rollout|image-pull|readiness-after-rollout|errors-after-rollout)/,
    alertnames: /Rollout|Deployment|CrashLoop|ImagePull|Generation/i,
  },
  { rules: /^(dependency-exhaustion)$/, alertnames: /Connection|Pool|Database|Db/i },
];

/** ALERT_HINT when a firing alert's name names the candidate's failure, otherwise 0. */
export function alertHint(facts: Facts, proposal: Candidate): number {
  const names = facts.alerts.filter((a) => a.status === 'firing').map((a) => a.alertname);
  const hint = hints.find((h) => h.rules.test(proposal.rule));
  return hint && names.some((name) => hint.alertnames.test(name)) ? ALERT_HINT : 0;
}
