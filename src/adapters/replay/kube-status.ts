import type { Cause } from './kube-validate.js';

/** A metav1.Status as the API server answers failures. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Cause[] };
  code: number;
}

export function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export interface ResourceName {
  group: string;
  plural: string;
  kind: string;
}

/** `deployments.apps`, or `pods` for the core group. */
export const qualified = (r: ResourceName) => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

/** Status details name an object's group only when it has one (Go's omitempty). */
const about = (resource: ResourceName, name: string, kind: string) => ({
  name,
  ...(resource.group === '' ? {} : { group: resource.group }),
  kind,
});

export function notFound(resource: ResourceName, name: string): Status {
  return status(
    404,
    'NotFound',
    `${qualified(resource)} "${name}" not found`,
    about(resource, name, resource.plural),
  );
}

export function conflict(resource: ResourceName, name: string): Status {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    about(resource, name, resource.plural),
  );
}

/** 422 Invalid, worded as apierrors.NewInvalid words it. */
export function invalid(resource: ResourceName, name: string, causes: Cause[]): Status {
  const kind = resource.group === '' ? resource.kind : `${resource.kind}.${resource.group}`;
  const lines = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  return status(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    ...about(resource, name, resource.kind),
    causes,
  });
}
