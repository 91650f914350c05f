import type { GuardRule } from '../guard-input.js';
import { describeRef } from '../kube-objects.js';

const CLUSTER_SCOPED = new Set(['Node']);

/** The draft names the playbook being judged, so a mix-up can never borrow another playbook's risk or limits. */
export const playbookMatchRule: GuardRule = ({ playbook, draft }) =>
  draft.playbook === playbook.id
    ? []
    : [`draft: names playbook "${draft.playbook}" but is judged as "${playbook.id}"`];

/** Defence in depth: the target has an allowed kind, lives in the incident's namespace and exists. */
export const targetRule: GuardRule = ({ playbook, draft, incident, target }) => {
  const ref = draft.target;
  if (!ref) return [`${playbook.id}: needs a target and the draft names none`];
  const reasons: string[] = [];
  const where = describeRef(ref);
  if (!playbook.targetKinds.includes(ref.kind)) {
    reasons.push(
      `${playbook.id}: cannot act on a ${ref.kind}; it acts only on ${playbook.targetKinds.join(', ') || 'nothing'}`,
    );
  }
  if (CLUSTER_SCOPED.has(ref.kind)) {
    if (ref.namespace !== undefined)
      reasons.push(`target: a ${ref.kind} has no namespace, the draft gives "${ref.namespace}"`);
  } else if (ref.namespace === undefined) {
    reasons.push(`target: ${where} has no namespace`);
  } else if (incident.namespace === null) {
    reasons.push(`target: ${where} is namespaced but the incident belongs to no namespace`);
  } else if (ref.namespace !== incident.namespace) {
    reasons.push(
      `target: ${where} is in namespace "${ref.namespace}", not the incident's namespace "${incident.namespace}"`,
    );
  }
  if (!target) {
    reasons.push(`target: ${where} was not found in the cluster`);
  } else {
    if (target.kind !== undefined && target.kind !== ref.kind) {
      reasons.push(`target: the live object ${target.metadata.name} is a ${target.kind}, not a ${ref.kind}`);
    }
    if (target.metadata.namespace !== ref.namespace) {
      reasons.push(
        `target: the live object is in namespace "${target.metadata.namespace ?? '(none)'}", not "${ref.namespace ?? '(none)'}"`,
      );
    }
  }
  return reasons;
};
