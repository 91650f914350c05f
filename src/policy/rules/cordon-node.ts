import type { GuardRule } from '../guard-input.js';

/** cordon-node: after the cordon, no more than maxUnschedulablePercent of the nodes may be unschedulable. */
export const cordonNodeRule: GuardRule = ({ policy, playbook, draft, nodes }) => {
  if (playbook.id !== 'cordon-node') return [];
  if (nodes.length === 0)
    return ['cordon-node: the node list is empty, so the share of unschedulable nodes is unknown'];
  const targetName = draft.target?.name;
  const unschedulable = new Set(
    nodes.filter((node) => node.spec?.['unschedulable'] === true).map((node) => node.metadata.name),
  );
  if (targetName !== undefined) unschedulable.add(targetName);
  const percent = (unschedulable.size / nodes.length) * 100;
  const { maxUnschedulablePercent } = policy.limits.cordonNode;
  return percent > maxUnschedulablePercent
    ? [
        `cordon-node: ${unschedulable.size} of ${nodes.length} nodes (${Math.round(percent)}%) would be unschedulable, more than the ${maxUnschedulablePercent}% allowed`,
      ]
    : [];
};
