import type { GuardRule } from '../guard-input.js';
import { protectedLabelParts } from '../policy-schema.js';

/** Nothing in a protected namespace, and nothing labelled protected (on the object or its namespace). */
export const protectedRule: GuardRule = ({ policy, draft, target, targetNamespace }) => {
  const reasons: string[] = [];
  const namespaces = new Set([draft.target?.namespace, target?.metadata.namespace]);
  for (const namespace of namespaces) {
    if (namespace !== undefined && policy.protectedNamespaces.includes(namespace)) {
      reasons.push(`protected: namespace "${namespace}" is protected; medic never acts in it`);
    }
  }
  const { key, value } = protectedLabelParts(policy);
  if (target?.metadata.labels?.[key] === value) {
    reasons.push(`protected: ${target.metadata.name} carries the label ${key}=${value}`);
  }
  if (targetNamespace?.metadata.labels?.[key] === value) {
    reasons.push(`protected: namespace "${targetNamespace.metadata.name}" carries the label ${key}=${value}`);
  }
  return reasons;
};
