import { isDeepStrictEqual } from 'node:util';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { ObjectRef, RenderedStep } from '../domain/playbook.js';
import type { ClusterReader, ObjectRef as ReadRef } from '../ports/cluster.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import { refName } from './execution-log.js';
import { sameRef } from './restore.js';

export interface StepDeps {
  writer: ClusterWriter;
  reader: ClusterReader;
  fieldManager: string;
}

/** applied: this run wrote it; already-applied / already-gone: a run before the crash did, so nothing was sent. */
export type StepOutcome = 'applied' | 'already-applied' | 'already-gone';

const distinctRefs = (steps: readonly RenderedStep[]): ObjectRef[] =>
  steps
    .map((s) => s.ref)
    .filter(
      (ref, i, all) =>
        all.findIndex((r) => r.kind === ref.kind && r.name === ref.name && r.namespace === ref.namespace) ===
        i,
    );

/** The objects the steps touch, as they are now. A patch target that does not exist is an error. */
export async function capturePreState(steps: readonly RenderedStep[], deps: StepDeps): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const ref of distinctRefs(steps)) {
    const object = await deps.reader.get(ref as ReadRef);
    if (object) {
      objects.push(object);
      continue;
    }
    if (steps.some((s) => s.action === 'patch' && sameRefs(s.ref, ref))) {
      throw new MedicError(
        ErrorCodes.clusterNotFound,
        `${refName(ref)} does not exist, so nothing was changed`,
        {
          ref,
        },
      );
    }
  }
  return objects;
}

const sameRefs = (a: ObjectRef, b: ObjectRef) =>
  a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/**
 * Whether a previous run already sent this patch: a server-side dry-run of the same patch against the
 * live object changes nothing the patch can reach when the change is already there.
 */
async function patchAlreadyApplied(step: Extract<RenderedStep, { action: 'patch' }>, deps: StepDeps) {
  const live = await deps.reader.get(step.ref as ReadRef);
  if (!live) {
    throw new MedicError(
      ErrorCodes.clusterNotFound,
      `${refName(step.ref)} disappeared during the execution`,
      {
        ref: step.ref,
      },
    );
  }
  const preview = await deps.writer.patch(step.ref, step.patchType, step.patch, {
    dryRun: true,
    fieldManager: deps.fieldManager,
  });
  const reach = touchesMetadata(step) ? desired : (object: KubeObject) => object.spec;
  return isDeepStrictEqual(reach(preview), reach(live));
}

/**
 * Whether the patch changes labels or annotations. Only then are they compared: controllers write
 * annotations of their own (deployment.kubernetes.io/revision) between the read and the dry-run.
 */
function touchesMetadata(step: Extract<RenderedStep, { action: 'patch' }>): boolean {
  if (step.patchType === 'json') {
    return (Array.isArray(step.patch) ? step.patch : []).some((op) =>
      String((op as { path?: unknown }).path ?? '').startsWith('/metadata'),
    );
  }
  return typeof step.patch === 'object' && step.patch !== null && 'metadata' in step.patch;
}

/** What a playbook patch may change: the spec, labels and annotations (never status). */
const desired = (object: KubeObject) => ({
  spec: object.spec,
  labels: object.metadata.labels ?? {},
  annotations: object.metadata.annotations ?? {},
});

/** A pod to delete is done with when it is gone, terminating, or replaced by a pod of the same name. */
async function podAlreadyGone(ref: ObjectRef, preState: readonly KubeObject[], deps: StepDeps) {
  const live = await deps.reader.get(ref as ReadRef);
  if (!live) return true;
  if (live.metadata['deletionTimestamp'] !== undefined && live.metadata['deletionTimestamp'] !== null)
    return true;
  const before = preState.find((o) => sameRef(ref, o));
  return (
    before !== undefined && before.metadata.uid !== undefined && before.metadata.uid !== live.metadata.uid
  );
}

/**
 * Applies one step. `mayBeApplied` is set when a run died after persisting the step as next and before
 * persisting it as done: the step is then checked against the live object first and never sent twice.
 */
export async function applyStep(
  step: RenderedStep,
  preState: readonly KubeObject[],
  mayBeApplied: boolean,
  deps: StepDeps,
): Promise<StepOutcome> {
  if (step.action === 'delete') {
    if (mayBeApplied && (await podAlreadyGone(step.ref, preState, deps))) return 'already-gone';
    try {
      await deps.writer.delete(step.ref, { dryRun: false, fieldManager: deps.fieldManager });
    } catch (error) {
      // Gone between the check and the delete: the pod's controller or a person got there first.
      if (error instanceof MedicError && error.code === ErrorCodes.clusterNotFound) return 'already-gone';
      throw error;
    }
    return 'applied';
  }
  if (mayBeApplied && (await patchAlreadyApplied(step, deps))) return 'already-applied';
  await deps.writer.patch(step.ref, step.patchType, step.patch, {
    dryRun: false,
    fieldManager: deps.fieldManager,
  });
  return 'applied';
}
