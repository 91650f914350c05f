import type { KubeObject } from './evidence/telemetry.js';

export type Risk = 'low' | 'medium' | 'high';
export const riskOrder: Record<Risk | 'none', number> = { none: 0, low: 1, medium: 2, high: 3 };

export type PatchType = 'strategic-merge' | 'merge' | 'json';

export type PreconditionCheck = 'target-exists' | 'container-exists' | 'not-noop' | 'not-paused';

/** One step of a playbook as written in its YAML file. */
export type PlaybookStep =
  | { kind: 'patch'; patchType: PatchType; template: unknown }
  | { kind: 'rollback-template' }
  | { kind: 'delete-pod' }
  | { kind: 'cordon' };

/** A condition that must hold within the verify window after the change. */
export interface VerifyCondition {
  /** A named signal from CONTRACTS.md (e.g. container_restarts_total), or null when `promql` is set. */
  signal: string | null;
  promql: string | null;
  /** not-increasing: the last value is not above the first; below/above: compared with threshold. */
  condition: 'not-increasing' | 'below' | 'above';
  threshold: number | null;
  windowSeconds: number;
}

export interface Playbook {
  id: string;
  description: string;
  risk: Risk;
  /** Empty for escalate and none. */
  targetKinds: string[];
  /** JSON Schema (draft 2020-12 subset Ajv understands) for the parameters, target excluded. */
  paramsSchema: Record<string, unknown>;
  preconditions: PreconditionCheck[];
  steps: PlaybookStep[];
  wait: { rollout: boolean; timeoutSeconds: number } | null;
  verify: VerifyCondition[];
  rollback: 'restore' | 'none';
  /** Where it was loaded from, for error messages. */
  source: string;
}

/** The loaded set of playbooks: what drafters may choose from and what the runner can render. */
export interface PlaybookCatalog {
  list(): readonly Playbook[];
  get(id: string): Playbook | undefined;
  /** Problems with the parameters as `path: problem` strings; empty when they pass the playbook's schema. */
  checkParams(id: string, params: Record<string, unknown>): string[];
}

export interface ObjectRef {
  kind: string;
  /** Absent for cluster-scoped objects (Node). */
  namespace?: string;
  name: string;
}

/** A concrete change, rendered from a playbook and its parameters against the live object. */
export type RenderedStep =
  | { action: 'patch'; ref: ObjectRef; patchType: PatchType; patch: unknown }
  | { action: 'delete'; ref: ObjectRef };

/** What the renderer needs besides the playbook: the live object and, for rollback, its ReplicaSets. */
export interface RenderContext {
  target: ObjectRef;
  params: Record<string, unknown>;
  object: KubeObject;
  replicaSets: KubeObject[];
  now: Date;
}
