import { z } from 'zod';
import { targetKinds } from '../domain/draft.js';
import { signalNames } from '../domain/evidence/signals.js';
import type { Playbook, PlaybookStep, VerifyCondition } from '../domain/playbook.js';

/** A step condition on parameter values (e.g. set-probe's `when: {probe: liveness}`); plain equality only. */
export type StepCondition = Record<string, string | number | boolean>;

/** A playbook step as the catalog keeps it: the shared step type plus an optional condition. */
export type CatalogStep = PlaybookStep & { when?: StepCondition };

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const noArguments = z.object({}).strict().nullable().optional();

const patchSchema = z
  .object({
    type: z.enum(['strategic-merge', 'merge', 'json']),
    template: z.unknown().refine((value) => value !== undefined && value !== null, 'is required'),
  })
  .strict();

const stepActions = ['patch', 'delete-pod', 'cordon', 'rollback-template'] as const;

const stepSchema = z.preprocess(
  // `- delete-pod` is shorthand for `- delete-pod: {}`.
  (value) => (typeof value === 'string' ? { [value]: {} } : value),
  z
    .object({
      patch: patchSchema.optional(),
      'delete-pod': noArguments,
      cordon: noArguments,
      'rollback-template': noArguments,
      when: z.record(z.string(), scalar).optional(),
    })
    .strict()
    .superRefine((step, context) => {
      const actions = stepActions.filter((action) => action in step);
      if (actions.length !== 1) {
        context.addIssue({
          code: 'custom',
          message: `needs exactly one of ${stepActions.join(', ')} (found ${actions.length === 0 ? 'none' : actions.join(', ')})`,
        });
      }
    }),
);

const verifySchema = z
  .object({
    signal: z.enum(signalNames).optional(),
    promql: z.string().min(1).optional(),
    condition: z.enum(['not-increasing', 'below', 'above']),
    threshold: z.number().optional(),
    windowSeconds: z.number().int().min(30).max(3600),
  })
  .strict()
  .superRefine((condition, context) => {
    if ((condition.signal === undefined) === (condition.promql === undefined)) {
      context.addIssue({ code: 'custom', message: 'needs exactly one of signal, promql' });
    }
    const needsThreshold = condition.condition !== 'not-increasing';
    if (needsThreshold !== (condition.threshold !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: needsThreshold ? `is required for ${condition.condition}` : 'is only for below and above',
      });
    }
  });

export const playbookFileSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be kebab-case'),
    description: z.string().min(40, 'must explain when to use the playbook and when not (40+ characters)'),
    risk: z.enum(['low', 'medium', 'high']),
    targetKinds: z.array(z.enum(targetKinds)),
    params: z.record(z.string(), z.unknown()),
    /** Parameter sets that must pass the schema and render every template; documentation for drafters too. */
    examples: z.array(z.record(z.string(), z.unknown())).optional(),
    preconditions: z
      .array(z.enum(['target-exists', 'container-exists', 'not-noop', 'not-paused']))
      .default([]),
    steps: z.array(stepSchema).default([]),
    wait: z
      .object({ rollout: z.boolean(), timeoutSeconds: z.number().int().min(10).max(3600) })
      .strict()
      .optional(),
    verify: z.array(verifySchema).default([]),
    rollback: z.enum(['restore', 'none']),
  })
  .strict();

export type PlaybookFile = z.output<typeof playbookFileSchema>;

/** `steps[0].patch.type` from a zod path. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out.length === 0 ? '(top level)' : out;
}

/** A zod issue as `path: problem`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown field`).join('\n');
    case 'invalid_value':
      return `${keyPath(issue.path)}: must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return `${keyPath(issue.path)}: ${/received undefined/.test(issue.message) ? 'is required' : `must be ${issue.expected === 'record' ? 'a mapping' : issue.expected}`}`;
    default:
      return `${keyPath(issue.path)}: ${issue.message}`;
  }
}

function toStep(step: PlaybookFile['steps'][number]): CatalogStep {
  const base: PlaybookStep = step.patch
    ? { kind: 'patch', patchType: step.patch.type, template: step.patch.template }
    : 'delete-pod' in step
      ? { kind: 'delete-pod' }
      : 'cordon' in step
        ? { kind: 'cordon' }
        : { kind: 'rollback-template' };
  return step.when ? { ...base, when: step.when } : base;
}

function toVerify(condition: PlaybookFile['verify'][number]): VerifyCondition {
  return {
    signal: condition.signal ?? null,
    promql: condition.promql ?? null,
    condition: condition.condition,
    threshold: condition.threshold ?? null,
    windowSeconds: condition.windowSeconds,
  };
}

/** The domain playbook for a parsed file. */
export function toPlaybook(file: PlaybookFile, source: string): Playbook {
  return {
    id: file.id,
    description: file.description.trim(),
    risk: file.risk,
    targetKinds: [...file.targetKinds],
    paramsSchema: file.params,
    preconditions: file.preconditions,
    steps: file.steps.map(toStep),
    wait: file.wait ?? null,
    verify: file.verify.map(toVerify),
    rollback: file.rollback,
    source,
  };
}
