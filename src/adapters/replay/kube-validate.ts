import type { KubeObject } from '../../domain/evidence/telemetry.js';
import { isQuantity, parseQuantity } from '../../domain/quantity.js';

/** One entry of a 422 Status's details.causes, worded as k8s.io/apimachinery's field.Error writes it. */
export interface Cause {
  reason: 'FieldValueInvalid' | 'FieldValueRequired';
  message: string;
  field: string;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));
const invalid = (field: string, value: unknown, detail: string): Cause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${shown(value)}: ${detail}`,
  field,
});
const required = (field: string): Cause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});

const QUANTITY_RULE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/**
 * What the API server's validation would reject in `updated`, as field causes (empty when valid). Causes
 * `original` already had are left out: recorded fixtures are often sparser than the API would accept.
 */
export function validateUpdate(original: KubeObject, updated: KubeObject): Cause[] {
  const known = new Set(validate(original).map((c) => `${c.field}\n${c.message}`));
  return validate(updated).filter((c) => !known.has(`${c.field}\n${c.message}`));
}

/** What the API server's validation would reject in `object`, as field causes (empty when valid). */
export function validate(object: KubeObject): Cause[] {
  const spec = record(object.spec);
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return [
        ...replicas(spec),
        ...selectorMatches(spec),
        ...podSpec(record(record(spec['template'])['spec']), 'spec.template.spec'),
      ];
    case 'DaemonSet':
      return [
        ...selectorMatches(spec),
        ...podSpec(record(record(spec['template'])['spec']), 'spec.template.spec'),
      ];
    case 'Pod':
      return podSpec(spec, 'spec');
    case 'HorizontalPodAutoscaler':
      return autoscaler(spec);
    default:
      return [];
  }
}

function replicas(spec: Json): Cause[] {
  const value = spec['replicas'];
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [invalid('spec.replicas', value, 'must be an integer')];
  return value < 0 ? [invalid('spec.replicas', value, 'must be greater than or equal to 0')] : [];
}

function selectorMatches(spec: Json): Cause[] {
  const matchLabels = record(record(spec['selector'])['matchLabels']);
  const labels = record(record(record(spec['template'])['metadata'])['labels']);
  const matches = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  if (matches) return [];
  return [invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`')];
}

function podSpec(spec: Json, path: string): Cause[] {
  const causes: Cause[] = [];
  const groups = ['initContainers', 'containers'] as const;
  if (list(spec['containers']).length === 0) causes.push(required(`${path}.containers`));
  for (const group of groups) {
    list(spec[group]).forEach((raw, index) => {
      const container = record(raw);
      const at = `${path}.${group}[${index}]`;
      if (typeof container['name'] !== 'string' || container['name'] === '')
        causes.push(required(`${at}.name`));
      if (typeof container['image'] !== 'string' || container['image'] === '')
        causes.push(required(`${at}.image`));
      causes.push(...resources(record(container['resources']), `${at}.resources`));
    });
  }
  return causes;
}

function resources(resources: Json, path: string): Cause[] {
  const causes: Cause[] = [];
  const requests = record(resources['requests']);
  const limits = record(resources['limits']);
  for (const [kind, values] of [
    ['requests', requests],
    ['limits', limits],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (!isQuantity(value)) causes.push(invalid(`${path}.${kind}.${name}`, value, QUANTITY_RULE));
      else if (parseQuantity(value) < 0) {
        causes.push(invalid(`${path}.${kind}.${name}`, value, 'must be greater than or equal to 0'));
      }
    }
  }
  if (causes.length > 0) return causes;
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || !isQuantity(request) || !isQuantity(limit)) continue;
    if (parseQuantity(request) > parseQuantity(limit)) {
      causes.push(
        invalid(
          `${path}.requests`,
          request,
          `must be less than or equal to ${name} limit of ${String(limit)}`,
        ),
      );
    }
  }
  return causes;
}

function autoscaler(spec: Json): Cause[] {
  const causes: Cause[] = [];
  const min = spec['minReplicas'];
  const max = spec['maxReplicas'];
  if (typeof min === 'number' && min < 1)
    causes.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof max !== 'number') causes.push(required('spec.maxReplicas'));
  else if (typeof min === 'number' && max < min) {
    causes.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  return causes;
}
