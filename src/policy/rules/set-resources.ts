import type { KubeObject } from '../../domain/evidence/telemetry.js';
import { isQuantity, parseQuantity } from '../../domain/quantity.js';
import type { GuardInput, GuardRule } from '../guard-input.js';
import {
  asRecord,
  type ContainerResources,
  containersOf,
  describeRef,
  formatAmount,
  podCount,
  quantityOf,
  sameNamespace,
} from '../kube-objects.js';

const RESOURCE_KEYS = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'] as const;
type ResourceKey = (typeof RESOURCE_KEYS)[number];

interface Change {
  key: ResourceKey;
  text: string;
  value: number;
  current: number | undefined;
}

function currentValue(container: ContainerResources, key: ResourceKey): number | undefined {
  const [section, resource] = key.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
  return quantityOf(container[section], resource);
}

function factorReasons(changes: Change[], maxFactor: number): string[] {
  return changes.flatMap(({ key, text, value, current }) =>
    current !== undefined && value > maxFactor * current
      ? [`set-resources: ${key} ${text} is more than ${maxFactor}x the current ${formatAmount(current, key)}`]
      : [],
  );
}

/** A LimitRange's Container max applies to requests and limits alike. */
function limitRangeReasons(changes: Change[], limitRanges: KubeObject[]): string[] {
  const reasons: string[] = [];
  for (const limitRange of limitRanges) {
    const items = limitRange.spec?.['limits'];
    if (!Array.isArray(items)) continue;
    for (const item of items.map(asRecord)) {
      if (item?.['type'] !== 'Container') continue;
      const max = asRecord(item['max']);
      for (const { key, text, value } of changes) {
        const resource = key.split('.')[1] ?? '';
        const bound = quantityOf(max, resource);
        if (bound !== undefined && value > bound) {
          reasons.push(
            `set-resources: ${key} ${text} is above the LimitRange ${limitRange.metadata.name} maximum of ${formatAmount(bound, key)} per container`,
          );
        }
      }
    }
  }
  return reasons;
}

/** Quota keys that count this resource key; `cpu`/`memory` are shorthands for requests. */
function quotaKeys(key: ResourceKey): string[] {
  return key.startsWith('requests.') ? [key, key.slice('requests.'.length)] : [key];
}

function quotaReasons(changes: Change[], quotas: KubeObject[], pods: number): string[] {
  const reasons: string[] = [];
  for (const quota of quotas) {
    const hard = asRecord(quota.spec?.['hard']);
    const used = asRecord(quota.status?.['used']);
    for (const { key, text, value, current } of changes) {
      for (const quotaKey of quotaKeys(key)) {
        const bound = quantityOf(hard, quotaKey);
        if (bound === undefined) continue;
        const after = (quantityOf(used, quotaKey) ?? 0) + pods * (value - (current ?? 0));
        if (after > bound) {
          reasons.push(
            `set-resources: ${key} ${text} for ${pods} pod(s) would bring the namespace to ${formatAmount(after, key)} of ${quotaKey}, above the ResourceQuota ${quota.metadata.name} hard limit of ${formatAmount(bound, key)}`,
          );
        }
      }
    }
  }
  return reasons;
}

function requestedChanges(
  input: GuardInput,
  container: ContainerResources,
): { changes: Change[]; problems: string[] } {
  const problems: string[] = [];
  const changes: Change[] = [];
  for (const key of RESOURCE_KEYS) {
    const raw = input.draft.params[key];
    if (raw === undefined || raw === null) continue;
    if (!isQuantity(raw)) {
      problems.push(`set-resources: ${key} "${String(raw)}" is not a Kubernetes quantity`);
      continue;
    }
    const value = parseQuantity(raw);
    if (value <= 0) problems.push(`set-resources: ${key} ${String(raw)} must be above zero`);
    changes.push({ key, text: String(raw), value, current: currentValue(container, key) });
  }
  if (problems.length === 0 && changes.length === 0)
    problems.push('set-resources: the draft changes no resource');
  return { changes, problems };
}

/**
 * set-resources: each new value at most maxFactor× the container's current one; never above the
 * namespace's LimitRange max or past its ResourceQuota (counting every pod of the workload).
 */
export const setResourcesRule: GuardRule = (input) => {
  const { policy, playbook, draft, target } = input;
  if (playbook.id !== 'set-resources' || !target || !draft.target) return [];
  const name = draft.params['container'];
  const containers = containersOf(target);
  const container =
    typeof name === 'string'
      ? containers.find((candidate) => candidate.name === name)
      : containers.length === 1
        ? containers[0]
        : undefined;
  if (!container) {
    return [
      typeof name === 'string'
        ? `set-resources: ${describeRef(draft.target)} has no container "${name}"`
        : `set-resources: ${describeRef(draft.target)} has ${containers.length} containers; the draft must name one`,
    ];
  }
  const { changes: valid, problems } = requestedChanges(input, container);
  if (problems.length > 0) return problems;
  const namespace = draft.target.namespace;
  return [
    ...factorReasons(valid, policy.limits.setResources.maxFactor),
    ...limitRangeReasons(
      valid,
      input.limitRanges.filter((item) => sameNamespace(item, namespace)),
    ),
    ...quotaReasons(
      valid,
      input.resourceQuotas.filter((item) => sameNamespace(item, namespace)),
      podCount(target),
    ),
  ];
};
