import { signalSalience } from '../../domain/evidence/signal-summary.js';
import { type Candidate, escalation } from './candidate.js';
import { type Facts, signalRef, workloadLabel } from './facts.js';
import { round } from './format.js';

/** Nothing matched: escalate with whatever stands out most, so the human starts from somewhere. */
export function unknownCandidate(facts: Facts): Candidate {
  const salient = [...(facts.evidence?.signals ?? [])]
    .filter((s) => signalSalience(s) >= 1)
    .sort((a, b) => signalSalience(b) - signalSalience(a))
    .slice(0, 3);
  const alertNames = [...new Set(facts.alerts.map((a) => a.alertname))].join(', ') || 'no alert name';
  const notes = salient.map(
    (s) =>
      `${s.signal} at ${round(s.last, 3)}${s.baselineMean !== null ? ` (baseline ${round(s.baselineMean, 3)})` : ''}${
        s.ratioToReference !== null
          ? `, ${round(s.ratioToReference * 100, 0)}% of ${s.reference?.signal}`
          : ''
      }`,
  );
  const missing = (facts.evidence?.sources ?? []).filter((s) => s.state !== 'ok').map((s) => s.source);
  return escalation(
    'unknown',
    0.3,
    `${alertNames} on ${workloadLabel(facts)}: no known failure pattern matches the evidence${
      notes.length > 0 ? `; most unusual: ${notes.join('; ')}` : ''
    }.`,
    `No rule found a cause with a safe remedy.${missing.length > 0 ? ` Sources missing: ${missing.join(', ')}.` : ''}${
      facts.evidence ? '' : ' No evidence was gathered.'
    }`,
    [...new Set(salient.map((s) => signalRef(s.signal)))],
  );
}
