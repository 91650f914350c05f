import type { KubeObject } from '../domain/evidence/telemetry.js';
import { isQuantity, parseQuantity } from '../domain/quantity.js';

export type Fields = Record<string, unknown>;

export function asRecord(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function describeRef(ref: { kind: string; namespace?: string | undefined; name: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export interface ContainerResources {
  name: string;
  requests: Fields;
  limits: Fields;
}

/** The containers of a Pod or of a workload's pod template. */
export function containersOf(object: KubeObject): ContainerResources[] {
  const spec = object.kind === 'Pod' ? object.spec : asRecord(asRecord(object.spec?.['template'])?.['spec']);
  const containers = spec?.['containers'];
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((raw) => {
    const container = asRecord(raw);
    if (!container || typeof container['name'] !== 'string') return [];
    const resources = asRecord(container['resources']);
    return [
      {
        name: container['name'],
        requests: asRecord(resources?.['requests']) ?? {},
        limits: asRecord(resources?.['limits']) ?? {},
      },
    ];
  });
}

/** How many pods run the template: spec.replicas (1 when unset), desired count for a DaemonSet, 1 for a Pod. */
export function podCount(object: KubeObject): number {
  if (object.kind === 'Pod') return 1;
  if (object.kind === 'DaemonSet') {
    const desired = object.status?.['desiredNumberScheduled'];
    return typeof desired === 'number' ? desired : 1;
  }
  const replicas = object.spec?.['replicas'];
  return typeof replicas === 'number' ? replicas : 1;
}

/** A quantity field's value, or undefined when absent or not a quantity. */
export function quantityOf(record: Fields | undefined, key: string): number | undefined {
  const value = record?.[key];
  return isQuantity(value) ? parseQuantity(value) : undefined;
}

/** An integer parameter, accepting numeric strings as YAML and LLMs produce them. */
export function integerParam(params: Fields, key: string): number | null | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : null;
}

const GI = 2 ** 30;
const MI = 2 ** 20;

function trim(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** A computed amount as a person would read it: bytes in Gi/Mi, cores in m or whole cores. */
export function formatAmount(value: number, resource: string): string {
  if (resource.endsWith('memory')) {
    if (value >= GI) return `${trim(value / GI)}Gi`;
    if (value >= MI) return `${trim(value / MI)}Mi`;
    return `${trim(value)}`;
  }
  if (value < 1 && value > 0) return `${trim(value * 1000)}m`;
  return trim(value);
}

export function sameNamespace(object: KubeObject, namespace: string | undefined): boolean {
  return object.metadata.namespace === undefined || object.metadata.namespace === namespace;
}
