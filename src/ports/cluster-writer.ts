import type { KubeObject } from '../domain/evidence/telemetry.js';
import type { ObjectRef, PatchType } from '../domain/playbook.js';

export interface WriteOptions {
  /** Server-side dry-run (dryRun=All): validated and admitted, never persisted. */
  dryRun: boolean;
  fieldManager: string;
}

/**
 * The write side of a cluster. Errors are MedicError with MEDIC_E_CLUSTER_CONFLICT (409),
 * MEDIC_E_CLUSTER_INVALID (422/400), MEDIC_E_CLUSTER_FORBIDDEN (401/403), MEDIC_E_CLUSTER_NOT_FOUND (404)
 * or MEDIC_E_CLUSTER_UNAVAILABLE (network, 5xx), with the API server's message.
 */
export interface ClusterWriter {
  /** Sends the patch with the Content-Type its type needs and returns the object the server answered. */
  patch(ref: ObjectRef, patchType: PatchType, patch: unknown, options: WriteOptions): Promise<KubeObject>;
  delete(ref: ObjectRef, options: WriteOptions): Promise<void>;
}
