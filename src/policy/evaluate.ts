import { NON_ACTING_PLAYBOOKS } from '../domain/draft.js';
import type { Verdict } from '../domain/plan.js';
import { riskOrder } from '../domain/playbook.js';
import type { GuardInput, GuardRule } from './guard-input.js';
import { blastRadiusRule } from './rules/blast-radius.js';
import { cordonNodeRule } from './rules/cordon-node.js';
import { deletePodRule } from './rules/delete-pod.js';
import { dryRunRule } from './rules/dry-run.js';
import { freezeRule } from './rules/freeze.js';
import { hpaRule } from './rules/hpa.js';
import { protectedRule } from './rules/protected.js';
import { rollbackRule } from './rules/rollback.js';
import { scaleRule } from './rules/scale.js';
import { setResourcesRule } from './rules/set-resources.js';
import { playbookMatchRule, targetRule } from './rules/target.js';

/** Every rule runs, so a denial lists all that is wrong at once. */
const rules: readonly GuardRule[] = [
  playbookMatchRule,
  targetRule,
  protectedRule,
  scaleRule,
  setResourcesRule,
  rollbackRule,
  deletePodRule,
  cordonNodeRule,
  hpaRule,
  blastRadiusRule,
  freezeRule,
  dryRunRule,
];

/** Judges one draft: denied with every reason, auto-approved up to the policy's risk, else needs approval. */
export function evaluatePolicy(input: GuardInput): Verdict {
  const { policy, playbook } = input;
  const risk = playbook.risk;
  if (NON_ACTING_PLAYBOOKS.has(playbook.id)) {
    return {
      decision: 'auto-approved',
      reasons: [`${playbook.id}: changes nothing in the cluster`],
      approvers: 0,
      risk,
    };
  }
  const denials = rules.flatMap((rule) => rule(input));
  if (denials.length > 0) return { decision: 'denied', reasons: denials, approvers: 0, risk };
  const { maxRisk } = policy.autoApprove;
  if (riskOrder[risk] <= riskOrder[maxRisk]) {
    return {
      decision: 'auto-approved',
      reasons: [`risk ${risk} is within the auto-approve limit (${maxRisk})`],
      approvers: 0,
      risk,
    };
  }
  const approvers = risk === 'high' ? policy.approvals.highRiskRequired : policy.approvals.required;
  return {
    decision: 'needs-approval',
    reasons: [
      `risk ${risk} is above the auto-approve limit (${maxRisk}); ${approvers} distinct approval(s) needed`,
    ],
    approvers,
    risk,
  };
}
