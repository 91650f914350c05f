import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { RenderContext } from '../domain/playbook.js';

const REVISION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH = 'pod-template-hash';

function revisionOf(object: KubeObject): number | null {
  const value = Number(object.metadata.annotations?.[REVISION]);
  return Number.isInteger(value) && value > 0 ? value : null;
}

/** ReplicaSets the Deployment controls; one without owner references is taken as its own when in its namespace. */
function ownedReplicaSets(context: RenderContext): Array<{ revision: number; replicaSet: KubeObject }> {
  const { target } = context;
  return context.replicaSets.flatMap((replicaSet) => {
    const owner = replicaSet.metadata.ownerReferences?.find((reference) => reference.controller !== false);
    const owned = owner
      ? owner.kind === 'Deployment' && owner.name === target.name
      : (replicaSet.metadata.namespace ?? target.namespace) === target.namespace;
    const revision = revisionOf(replicaSet);
    return owned && revision !== null ? [{ revision, replicaSet }] : [];
  });
}

function noRevision(message: string, details: Record<string, unknown>): MedicError {
  // The draft asked for something the cluster cannot give; guard turns this into a denial.
  return new MedicError(ErrorCodes.invalidDraft, message, { reason: 'revision-not-found', ...details });
}

/**
 * kubectl's rollback: the pod template of the ReplicaSet at `toRevision` (default: the highest revision below
 * the current one) without its pod-template-hash label, as a JSON patch replacing the Deployment's template.
 */
export function renderRollbackPatch(context: RenderContext): unknown {
  const candidates = ownedReplicaSets(context);
  const current =
    revisionOf(context.object) ?? Math.max(0, ...candidates.map((candidate) => candidate.revision));
  const requested = context.params['toRevision'];
  const wanted =
    typeof requested === 'number'
      ? candidates.find((candidate) => candidate.revision === requested)
      : candidates
          .filter((candidate) => candidate.revision < current)
          .sort((a, b) => b.revision - a.revision)[0];
  const name = `${context.target.namespace ?? ''}/${context.target.name}`;
  if (!wanted) {
    throw typeof requested === 'number'
      ? noRevision(`Deployment ${name} has no revision ${requested} to roll back to`, {
          toRevision: requested,
        })
      : noRevision(`Deployment ${name} has no revision before ${current} to roll back to`, { current });
  }
  const template = structuredClone(wanted.replicaSet.spec?.['template']) as
    | { metadata?: { labels?: Record<string, string> } }
    | undefined;
  if (!template) {
    throw noRevision(
      `ReplicaSet ${wanted.replicaSet.metadata.name} (revision ${wanted.revision}) has no pod template`,
      {
        toRevision: wanted.revision,
      },
    );
  }
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  return [{ op: 'replace', path: '/spec/template', value: template }];
}
