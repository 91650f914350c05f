import type { Candidate } from '../candidate.js';
import type { Facts } from '../facts.js';
import { consumerLagRule, cpuThrottlingRule, hpaAtMaxRule, pendingCapacityRule } from './capacity.js';
import { dependencyExhaustionRule, downstreamErrorsRule } from './dependencies.js';
import { flappingRule } from './lifecycle.js';
import { leakRule, oomRule } from './memory.js';
import { badNodeRule } from './nodes.js';
import { outlierPodRule } from './outlier.js';
import { livenessProbeRule } from './probes.js';
import {
  crashAfterRolloutRule,
  errorsAfterRolloutRule,
  oomAfterRolloutRule,
  readinessAfterRolloutRule,
} from './regressions.js';
import { scaleBackRule } from './scale-back.js';
import { crashLoopRule, imagePullRule, missingConfigRule, stuckRolloutRule } from './startup.js';

export type Rule = (facts: Facts) => Candidate | null;

/** Every diagnostic rule; on equal scores the earlier one wins. */
export const rules: readonly Rule[] = [
  imagePullRule,
  missingConfigRule,
  stuckRolloutRule,
  crashAfterRolloutRule,
  oomAfterRolloutRule,
  oomRule,
  dependencyExhaustionRule,
  downstreamErrorsRule,
  readinessAfterRolloutRule,
  errorsAfterRolloutRule,
  livenessProbeRule,
  badNodeRule,
  pendingCapacityRule,
  hpaAtMaxRule,
  scaleBackRule,
  cpuThrottlingRule,
  consumerLagRule,
  outlierPodRule,
  leakRule,
  crashLoopRule,
  flappingRule,
];
