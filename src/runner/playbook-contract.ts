/**
 * The playbook ids and parameter keys fixed by CONTRACTS.md ("Playbook ids"). Drafters, eval cases and policy
 * depend on these names, so the catalog refuses to load without every one of them.
 */
export const CONTRACT_PLAYBOOK_PARAMS: Readonly<Record<string, readonly string[]>> = {
  'rollout-restart': [],
  scale: ['replicas'],
  'set-resources': ['container', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'],
  rollback: ['toRevision'],
  'set-probe': [
    'container',
    'probe',
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'failureThreshold',
  ],
  'set-hpa-bounds': ['minReplicas', 'maxReplicas'],
  'delete-pod': [],
  'cordon-node': [],
  escalate: [],
  none: [],
};

export const CONTRACT_PLAYBOOK_IDS: readonly string[] = Object.keys(CONTRACT_PLAYBOOK_PARAMS);
