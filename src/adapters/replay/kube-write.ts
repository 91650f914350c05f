import type { KubeObject } from '../../domain/evidence/telemetry.js';
import { applyPatch, PatchError } from './kube-patch.js';
import type { ReplayRollouts } from './kube-rollout.js';
import { conflict, invalid, notFound, type ResourceName, status } from './kube-status.js';
import type { KubeReplayStore } from './kube-store.js';
import { validateUpdate } from './kube-validate.js';

export interface WriteTarget {
  resource: ResourceName & { namespaced: boolean };
  namespace: string | null;
  name: string;
}

export interface WriteContext {
  store: KubeReplayStore;
  rollouts: ReplayRollouts;
}

type Answer = [number, unknown];

const patchReasons = { 400: 'BadRequest', 415: 'UnsupportedMediaType', 422: 'Invalid' } as const;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `?dryRun=All` is the only value the API server takes; an error Status for anything else. */
function dryRunOf(query: URLSearchParams): boolean | Answer {
  const values = query.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  return [400, status(400, 'BadRequest', `Invalid dry run value: ${JSON.stringify(values)}`)];
}

/** Keeps what a PATCH on the main resource may not change: identity, server-owned metadata, status. */
function keepServerFields(current: KubeObject, patched: KubeObject): KubeObject {
  const { uid, creationTimestamp, generation, name, namespace } = current.metadata;
  const metadata: Record<string, unknown> = { ...patched.metadata, name };
  for (const [key, value] of Object.entries({ uid, creationTimestamp, generation, namespace })) {
    if (value === undefined) delete metadata[key];
    else metadata[key] = value;
  }
  const result = { ...patched, metadata } as KubeObject;
  if (current.apiVersion !== undefined) result.apiVersion = current.apiVersion;
  if (current.kind !== undefined) result.kind = current.kind;
  if (current.status === undefined) delete result.status;
  else result.status = structuredClone(current.status);
  return result;
}

export function patchObject(
  context: WriteContext,
  target: WriteTarget,
  contentType: string,
  body: string,
  query: URLSearchParams,
): Answer {
  const { resource, namespace, name } = target;
  const dryRun = dryRunOf(query);
  if (Array.isArray(dryRun)) return dryRun;
  const current = context.store.find(resource.kind, namespace, name);
  if (!current) return [404, notFound(resource, name)];
  let patched: KubeObject;
  try {
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (error) {
      throw new PatchError(400, `error decoding patch: ${(error as Error).message}`);
    }
    patched = applyPatch(
      contentType,
      current as unknown as Record<string, unknown>,
      patch,
    ) as unknown as KubeObject;
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    return [error.code, status(error.code, patchReasons[error.code], error.message, {})];
  }
  const sent = patched.metadata?.['resourceVersion'];
  if (sent !== undefined && sent !== current.metadata['resourceVersion'])
    return [409, conflict(resource, name)];
  patched = keepServerFields(current, patched);
  patched.metadata['resourceVersion'] = current.metadata['resourceVersion'];
  const causes = validateUpdate(current, patched);
  if (causes.length > 0) return [422, invalid(resource, name, causes)];
  const specChanged = canonical(current.spec) !== canonical(patched.spec);
  if (specChanged && resource.kind !== 'Node') {
    patched.metadata.generation = (current.metadata.generation ?? 1) + 1;
  }
  // A no-op patch stores nothing, so the resourceVersion stays, as on a real API server.
  if (dryRun || canonical(current) === canonical(patched)) return [200, patched];
  const stored = context.store.put(patched);
  return [200, specChanged ? context.rollouts.specChanged(current, stored) : stored];
}

export function deleteObject(context: WriteContext, target: WriteTarget, query: URLSearchParams): Answer {
  const { resource, namespace, name } = target;
  if (resource.kind !== 'Pod') {
    return [
      405,
      status(405, 'MethodNotAllowed', `the replay server deletes only pods, not ${resource.plural}`),
    ];
  }
  const dryRun = dryRunOf(query);
  if (Array.isArray(dryRun)) return dryRun;
  const current = context.store.find(resource.kind, namespace, name);
  if (!current) return [404, notFound(resource, name)];
  if (dryRun) return [200, current];
  context.store.remove(current);
  context.rollouts.podDeleted(current);
  return [200, current];
}
