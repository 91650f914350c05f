export { type ApproverIdentity, isApprover } from './approvers.js';
export { evaluatePolicy } from './evaluate.js';
export { activeFreezeWindows } from './freeze-windows.js';
export type { GuardInput, GuardRule } from './guard-input.js';
export { type LoadPolicyOptions, loadPolicy, parsePolicy } from './load-policy.js';
export {
  DEFAULT_OWN_NAMESPACE,
  defaultPolicy,
  type FreezeWindow,
  type Policy,
  policySchema,
} from './policy-schema.js';
