import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { ObjectRef, Playbook, RenderContext, RenderedStep } from '../domain/playbook.js';
import type { CatalogStep } from './playbook-file.js';
import { renderRollbackPatch } from './render-rollback.js';
import { renderTemplate, rfc3339 } from './render-template.js';
import { stepApplies } from './step-condition.js';

function refOf(target: ObjectRef): ObjectRef {
  // Nodes are cluster-scoped: a namespace on their ref would address nothing.
  return target.kind === 'Node' || target.namespace === undefined
    ? { kind: target.kind, name: target.name }
    : { kind: target.kind, namespace: target.namespace, name: target.name };
}

function renderStep(
  step: CatalogStep,
  ref: ObjectRef,
  playbook: Playbook,
  context: RenderContext,
): RenderedStep {
  switch (step.kind) {
    case 'patch': {
      const patch = renderTemplate(step.template, {
        params: context.params,
        target: ref,
        now: rfc3339(context.now),
      });
      if (patch === undefined) {
        throw new MedicError(
          ErrorCodes.invalidDraft,
          `${playbook.id}: the parameters leave nothing to change`,
          {
            playbook: playbook.id,
          },
        );
      }
      return { action: 'patch', ref, patchType: step.patchType, patch };
    }
    case 'delete-pod':
      return { action: 'delete', ref };
    case 'cordon':
      return { action: 'patch', ref, patchType: 'merge', patch: { spec: { unschedulable: true } } };
    case 'rollback-template':
      return { action: 'patch', ref, patchType: 'json', patch: renderRollbackPatch(context) };
  }
}

/**
 * The concrete changes a playbook makes with these parameters against the live object. Parameters are
 * expected to have passed the catalog's checkParams; a target of a kind the playbook does not handle, or a
 * rollback revision that does not exist, throws MEDIC_E_INVALID_DRAFT.
 */
export function renderSteps(playbook: Playbook, context: RenderContext): RenderedStep[] {
  if (playbook.steps.length === 0) return [];
  if (!playbook.targetKinds.includes(context.target.kind)) {
    throw new MedicError(
      ErrorCodes.invalidDraft,
      `${playbook.id} acts on ${playbook.targetKinds.join(', ')}, not on a ${context.target.kind}`,
      { playbook: playbook.id, kind: context.target.kind },
    );
  }
  const ref = refOf(context.target);
  return (playbook.steps as CatalogStep[])
    .filter((step) => stepApplies(step, context.params))
    .map((step) => renderStep(step, ref, playbook, context));
}
