import { z } from 'zod';
import { formatPath } from '../domain/alertmanager-payload.js';
import { targetSchema } from '../domain/draft.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { isQuantity } from '../domain/quantity.js';

/** The playbook ids CONTRACTS.md fixes; a loaded catalog may add more. */
export const contractPlaybookIds: readonly string[] = [
  'rollout-restart',
  'scale',
  'set-resources',
  'rollback',
  'set-probe',
  'set-hpa-bounds',
  'delete-pod',
  'cordon-node',
  'escalate',
  'none',
];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const bound = z.union([z.string(), z.number()]).refine(isQuantity, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a number or Kubernetes quantity`,
});

export const rangeSchema = z
  .strictObject({ min: bound.optional(), max: bound.optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'a range needs min or max' });
export type Range = z.infer<typeof rangeSchema>;

/** An exact value, or a range whose bounds compare by value ("768Mi", "1500m", 4). */
export const constraintSchema = z.union([scalar, rangeSchema]);
export type Constraint = z.infer<typeof constraintSchema>;
export type ParamConstraints = Record<string, Constraint>;

const forbidSchemaFor = (playbook: z.ZodType<string>) =>
  z
    .strictObject({
      playbook: playbook.optional(),
      namespace: z.string().min(1).optional(),
      kind: z.string().min(1).optional(),
      name: z.string().min(1).optional(),
      params: z.record(z.string(), constraintSchema).optional(),
    })
    .refine((entry) => Object.keys(entry).length > 0, { message: 'a forbid entry must name something' });
export type ForbidEntry = z.infer<ReturnType<typeof forbidSchemaFor>>;

const fileName = z.string().min(1);

function caseSchema(playbooks: ReadonlySet<string>) {
  const playbookId = z.string().refine((id) => playbooks.has(id), {
    error: (issue) => `unknown playbook "${String(issue.input)}"`,
  });
  return z.strictObject({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'expected a kebab-case id' }),
    title: z.string().min(1),
    tags: z.array(z.string().min(1)).default([]),
    now: z.union([z.string(), z.date()]),
    alert: fileName,
    world: z
      .strictObject({
        kubernetes: fileName.optional(),
        metrics: fileName.optional(),
        logs: fileName.optional(),
        traces: fileName.optional(),
      })
      .default({}),
    history: fileName.optional(),
    expect: z.strictObject({
      actions: z.array(playbookId).min(1),
      target: targetSchema.optional(),
      params: z
        .record(z.string(), z.union([constraintSchema, z.record(z.string(), constraintSchema)]))
        .default({}),
      forbid: z.array(forbidSchemaFor(playbookId)).default([]),
      similar: z.array(z.string().min(1)).default([]),
    }),
  });
}

/** What a case expects of the pipeline's answer. */
export interface Expectation {
  actions: string[];
  target: z.infer<typeof targetSchema> | null;
  /** Constraints per acceptable action; `*` holds the ones that apply to any of them. */
  params: Record<string, ParamConstraints>;
  forbid: ForbidEntry[];
  similar: string[];
}

export interface CaseSpec {
  id: string;
  title: string;
  tags: string[];
  historyFile: string | null;
  expect: Expectation;
}

export const ANY_ACTION = '*';

/** Splits `expect.params` into per-action constraints (when every key is a playbook id) or shared ones. */
function paramsByAction(
  params: Record<string, Constraint | Record<string, Constraint>>,
  playbooks: ReadonlySet<string>,
  file: string,
): Record<string, ParamConstraints> {
  const keys = Object.keys(params);
  const keyed = keys.length > 0 && keys.every((key) => playbooks.has(key));
  if (!keyed) {
    for (const [key, value] of Object.entries(params)) {
      if (!rangeSchema.safeParse(value).success && !scalar.safeParse(value).success) {
        throw invalidCase(file, `expect.params.${key}`, 'expected a value or a {min, max} range');
      }
    }
    return { [ANY_ACTION]: params as ParamConstraints };
  }
  const out: Record<string, ParamConstraints> = {};
  for (const [action, value] of Object.entries(params)) {
    const parsed = z.record(z.string(), constraintSchema).safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = `expect.params.${action}${issue && issue.path.length > 0 ? `.${formatPath(issue.path)}` : ''}`;
      throw invalidCase(file, where, issue?.message ?? 'invalid');
    }
    out[action] = parsed.data;
  }
  return out;
}

export function invalidCase(file: string, where: string, problem: string): MedicError {
  return new MedicError(ErrorCodes.invalidCase, `${file}:${where}: ${problem}`, { file, where });
}

/** Checks case.yaml strictly; a problem reads `file:field: problem`. */
export function parseCaseSpec(
  raw: unknown,
  file: string,
  playbookIds: readonly string[] = contractPlaybookIds,
): CaseSpec {
  const playbooks = new Set(playbookIds);
  const parsed = caseSchema(playbooks).safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidCase(file, formatPath(issue?.path ?? []), issue?.message ?? 'invalid');
  }
  const spec = parsed.data;
  return {
    id: spec.id,
    title: spec.title,
    tags: spec.tags,
    historyFile: spec.history ?? null,
    expect: {
      actions: spec.expect.actions,
      target: spec.expect.target ?? null,
      params: paramsByAction(spec.expect.params, playbooks, file),
      forbid: spec.expect.forbid,
      similar: spec.expect.similar,
    },
  };
}
