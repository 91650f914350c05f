import { isDeepStrictEqual } from 'node:util';
import { isMedicError } from '../domain/errors.js';
import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { ObjectRef, RenderedStep } from '../domain/playbook.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import { refName } from './execution-log.js';

export interface RestoreResult {
  ref: ObjectRef;
  ok: boolean;
  /** What was done or why it failed, for the execution's verification lines. */
  message: string;
}

export const sameRef = (ref: ObjectRef, object: KubeObject): boolean =>
  object.kind === ref.kind &&
  object.metadata.name === ref.name &&
  (object.metadata.namespace ?? undefined) === (ref.namespace ?? undefined);

export function refOf(object: KubeObject): ObjectRef {
  return {
    kind: object.kind ?? '',
    name: object.metadata.name,
    ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
  };
}

/** The objects patched by the first `applied` steps, each once, in step order. Deleted pods have nothing to restore. */
export function patchedRefs(steps: readonly RenderedStep[], applied: number): ObjectRef[] {
  const refs: ObjectRef[] = [];
  for (const step of steps.slice(0, applied)) {
    if (step.action !== 'patch') continue;
    if (
      !refs.some(
        (r) => r.kind === step.ref.kind && r.name === step.ref.name && r.namespace === step.ref.namespace,
      )
    ) {
      refs.push(step.ref);
    }
  }
  return refs;
}

/**
 * The patch that puts an object's spec back as it was. A Node gets only `unschedulable` back (the
 * node lifecycle controller owns its taints); every other kind gets its whole pre-change spec.
 */
function restorePatch(before: KubeObject): { type: 'json' | 'merge'; patch: unknown } {
  if (before.kind === 'Node') {
    const previous = (before.spec as Record<string, unknown> | undefined)?.['unschedulable'];
    return { type: 'merge', patch: { spec: { unschedulable: previous === true ? true : null } } };
  }
  return { type: 'json', patch: [{ op: 'replace', path: '/spec', value: before.spec ?? {} }] };
}

/** Restores every patched object to its pre-change spec; never throws, each failure is reported. */
export async function restorePreState(
  refs: readonly ObjectRef[],
  preState: readonly KubeObject[],
  writer: ClusterWriter,
  fieldManager: string,
): Promise<RestoreResult[]> {
  const results: RestoreResult[] = [];
  for (const ref of refs) {
    const before = preState.find((object) => sameRef(ref, object));
    if (!before) {
      results.push({ ref, ok: false, message: `no pre-change copy of ${refName(ref)} was saved` });
      continue;
    }
    const { type, patch } = restorePatch(before);
    try {
      const after = await writer.patch(ref, type, patch, { dryRun: false, fieldManager });
      const restored =
        before.kind === 'Node'
          ? Boolean((after.spec as Record<string, unknown> | undefined)?.['unschedulable']) ===
            Boolean((before.spec as Record<string, unknown> | undefined)?.['unschedulable'])
          : isDeepStrictEqual(after.spec, before.spec);
      results.push({
        ref,
        ok: true,
        message: restored
          ? `restored ${refName(ref)} to its pre-change spec`
          : `restored ${refName(ref)}; the server answered a spec that differs from the saved one`,
      });
    } catch (error) {
      const code = isMedicError(error) ? `${error.code}: ` : '';
      results.push({
        ref,
        ok: false,
        message: `cannot restore ${refName(ref)}: ${code}${(error as Error).message}`,
      });
    }
  }
  return results;
}
