import type { EvidenceBundle } from '../domain/evidence/bundle.js';
import type { Incident, IncidentAlert } from '../domain/incident.js';
import { type SignatureInput, signatureFromEvidence } from '../domain/memory/signature.js';
import { workloadFromLabels } from '../domain/workload.js';

/** What an incident is compared by: the signature to embed and the fields of the structured overlap. */
export interface IncidentSignature {
  signature: SignatureInput;
  alertnames: string[];
  workloadKind: string | null;
  terminationReasons: string[];
}

export function incidentSignature(
  incident: Incident,
  alerts: readonly IncidentAlert[],
  evidence: EvidenceBundle | null,
): IncidentSignature {
  const alertnames = [...new Set(alerts.map((alert) => alert.alertname))];
  const labels = alerts[0]?.labels ?? {};
  const signature: SignatureInput = evidence
    ? signatureFromEvidence(evidence, alertnames, { labels })
    : { alertnames, labels };
  const terminationReasons = [
    ...new Set(
      (evidence?.cluster?.restarts ?? [])
        .flatMap((r) => [r.lastReason, r.waitingReason])
        .filter((r): r is string => Boolean(r)),
    ),
  ];
  return {
    signature,
    alertnames,
    workloadKind: incident.workload?.kind ?? workloadFromLabels(labels)?.kind ?? null,
    terminationReasons,
  };
}
