import { NON_ACTING_PLAYBOOKS } from '../domain/draft.js';
import { isMedicError } from '../domain/errors.js';
import type { ObjectRef } from '../domain/playbook.js';
import { CONTRACT_PLAYBOOK_PARAMS } from './playbook-contract.js';
import type { CatalogStep, PlaybookFile } from './playbook-file.js';
import type { ParamsValidator } from './playbook-params.js';
import { isKnownPlaceholder, renderTemplate, scanTemplate } from './render-template.js';
import { stepApplies } from './step-condition.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Steps that only make sense against one kind of object. */
const STEP_KIND: Partial<Record<CatalogStep['kind'], string>> = {
  'rollback-template': 'Deployment',
  'delete-pod': 'Pod',
  cordon: 'Node',
};

/** Top-level shape every params schema must have, so parameter keys are known and nothing else slips in. */
function checkSchemaShape(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (params['type'] !== 'object') problems.push('params.type: must be object');
  if (params['additionalProperties'] !== false) problems.push('params.additionalProperties: must be false');
  const properties = params['properties'];
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    problems.push('params.properties: must be a mapping of parameter names to schemas');
  }
  return problems;
}

export function declaredParams(params: Record<string, unknown>): Set<string> {
  const properties = params['properties'];
  return new Set(typeof properties === 'object' && properties !== null ? Object.keys(properties) : []);
}

function checkContractParams(id: string, declared: ReadonlySet<string>): string[] {
  const expected = CONTRACT_PLAYBOOK_PARAMS[id];
  if (!expected) return [];
  const problems = expected
    .filter((key) => !declared.has(key))
    .map((key) => `params.properties: missing "${key}", which CONTRACTS.md names for ${id}`);
  for (const key of declared) {
    if (!expected.includes(key))
      problems.push(`params.properties.${key}: not a parameter CONTRACTS.md names for ${id}`);
  }
  return problems;
}

function checkStructure(
  file: PlaybookFile,
  steps: readonly CatalogStep[],
  declared: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const acting = file.steps.length > 0;
  if (NON_ACTING_PLAYBOOKS.has(file.id) && acting) problems.push(`steps: ${file.id} must not act`);
  if (acting && file.targetKinds.length === 0)
    problems.push('targetKinds: a playbook with steps needs a target kind');
  if (!acting && file.targetKinds.length > 0)
    problems.push('steps: a playbook with target kinds needs steps');
  if (!acting && file.wait) problems.push('wait: a playbook without steps has nothing to wait for');
  if (file.wait?.rollout && !file.targetKinds.every((kind) => WORKLOAD_KINDS.has(kind))) {
    problems.push('wait.rollout: only Deployments, StatefulSets and DaemonSets roll out');
  }
  if (file.preconditions.includes('container-exists') && !declared.has('container')) {
    problems.push('preconditions: container-exists needs a "container" parameter');
  }
  if (file.preconditions.includes('not-paused') && !file.targetKinds.includes('Deployment')) {
    problems.push('preconditions: not-paused applies only to Deployments');
  }
  file.steps.forEach((step, index) => {
    // The YAML keys are the step kinds: patch, delete-pod, cordon, rollback-template.
    const kind = steps[index]?.kind ?? 'patch';
    const needed = STEP_KIND[kind];
    if (needed && file.targetKinds.some((target) => target !== needed)) {
      problems.push(`steps[${index}].${kind}: works only on ${needed} targets`);
    }
    for (const key of Object.keys(step.when ?? {})) {
      if (!declared.has(key)) problems.push(`steps[${index}].when.${key}: not a declared parameter`);
    }
    if (!step.patch) return;
    const { placeholders, malformed } = scanTemplate(step.patch.template);
    const at = (path: string) =>
      `steps[${index}].patch.template${path === '' || path.startsWith('[') ? '' : '.'}${path}`;
    for (const path of malformed)
      problems.push(`${at(path)}: malformed placeholder (only {{ name }} is allowed)`);
    for (const { path, name } of placeholders) {
      if (!isKnownPlaceholder(name, declared))
        problems.push(`${at(path)}: unknown placeholder {{ ${name} }}`);
    }
  });
  return problems;
}

/** Examples must pass the params schema and render every applicable template to a non-empty patch. */
function checkExamples(
  file: PlaybookFile,
  steps: readonly CatalogStep[],
  validate: ParamsValidator,
  render: boolean,
): string[] {
  const problems: string[] = [];
  const examples = file.examples ?? [{}];
  const name = (index: number) => (file.examples ? `examples[${index}]` : 'examples');
  examples.forEach((example, exampleIndex) => {
    const invalid = validate(example);
    for (const problem of invalid) problems.push(`${name(exampleIndex)}: ${problem}`);
    if (invalid.length > 0) return;
    const target: ObjectRef = {
      kind: file.targetKinds[0] ?? 'Deployment',
      namespace: 'example',
      name: 'example',
    };
    steps.forEach((step, stepIndex) => {
      if (!render || step.kind !== 'patch' || !stepApplies(step, example)) return;
      try {
        const patch = renderTemplate(step.template, { params: example, target, now: '2026-01-01T00:00:00Z' });
        if (patch === undefined)
          problems.push(`steps[${stepIndex}].patch.template: renders empty with ${name(exampleIndex)}`);
      } catch (error) {
        if (!isMedicError(error)) throw error;
        problems.push(`steps[${stepIndex}].patch.template: ${error.message} (with ${name(exampleIndex)})`);
      }
    });
  });
  if (render && problems.length === 0) {
    steps.forEach((step, stepIndex) => {
      if (step.kind === 'patch' && !examples.some((example) => stepApplies(step, example))) {
        problems.push(`steps[${stepIndex}].when: no example exercises this step`);
      }
    });
  }
  return problems;
}

/**
 * What a schema-valid playbook file can still get wrong: the params schema's shape, CONTRACTS.md's parameter
 * names, steps that do not fit the target kinds, unknown placeholders, examples that fail or do not render.
 * `validate` is null when the params schema did not compile (that problem is reported by the caller).
 */
export function checkPlaybookFile(
  file: PlaybookFile,
  steps: readonly CatalogStep[],
  validate: ParamsValidator | null,
): string[] {
  const declared = declaredParams(file.params);
  const structure = checkStructure(file, steps, declared);
  return [
    ...checkSchemaShape(file.params),
    ...checkContractParams(file.id, declared),
    ...structure,
    // Rendering a template already reported as broken would only repeat the problem.
    ...(validate ? checkExamples(file, steps, validate, structure.length === 0) : []),
  ];
}
