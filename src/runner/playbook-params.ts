import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { isQuantity, parseQuantity } from '../domain/quantity.js';

export type ParamsValidator = (params: Record<string, unknown>) => string[];

/** One Ajv per catalog: strict, so a misspelt keyword in a params schema is an error rather than ignored. */
export function createParamsAjv(): Ajv2020 {
  return new Ajv2020({
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allErrors: true,
    verbose: true,
    $data: true,
  });
}

/** Compiles a params schema; throws Ajv's own error (naming the bad keyword or path) when it is invalid. */
export function compileParams(ajv: Ajv2020, schema: Record<string, unknown>): ParamsValidator {
  const validate = ajv.compile(schema);
  return (params) => (validate(params) ? checkResourceQuantities(params) : describeErrors(validate));
}

function pointerToKey(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

function anyOfRequirement(error: ErrorObject): string | null {
  const branches = (error.parentSchema as { anyOf?: Array<{ required?: string[] }> } | undefined)?.anyOf;
  if (!branches?.every((branch) => Array.isArray(branch.required))) return null;
  return `needs at least one of ${branches.flatMap((branch) => branch.required ?? []).join(', ')}`;
}

/** Ajv errors as `parameter: problem`, one line per problem. */
function describeErrors(validate: ValidateFunction): string[] {
  const errors = validate.errors ?? [];
  const problems: string[] = [];
  for (const error of errors) {
    const key = pointerToKey(error.instancePath);
    const where = key === '' ? 'params' : key;
    // An anyOf of `required` branches reads better as one line than as one "required" error per branch.
    if (error.keyword === 'required' && /\/anyOf\/\d+\/required$/.test(error.schemaPath)) continue;
    switch (error.keyword) {
      case 'required':
        problems.push(
          `${key === '' ? '' : `${key}.`}${String(error.params['missingProperty'])}: is required`,
        );
        break;
      case 'additionalProperties':
        problems.push(
          `${key === '' ? '' : `${key}.`}${String(error.params['additionalProperty'])}: is not a parameter of this playbook`,
        );
        break;
      case 'anyOf':
        problems.push(`${where}: ${anyOfRequirement(error) ?? error.message ?? 'is invalid'}`);
        break;
      case 'pattern':
        problems.push(
          `${where}: ${JSON.stringify(error.data)} does not match ${String(error.params['pattern'])}`,
        );
        break;
      default:
        problems.push(`${where}: ${error.message ?? 'is invalid'}`);
    }
  }
  return problems;
}

const RESOURCE_KEY = /^(requests|limits)\.(.+)$/;

/**
 * What a JSON Schema cannot say about resource quantities: each must be above zero, and a request may not
 * exceed the limit given beside it (the API server would refuse the pod template).
 */
export function checkResourceQuantities(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const match = RESOURCE_KEY.exec(key);
    if (!match || !isQuantity(value)) continue;
    if (parseQuantity(value) <= 0) {
      problems.push(`${key}: must be above zero`);
      continue;
    }
    const limit = params[`limits.${match[2]}`];
    if (match[1] === 'requests' && isQuantity(limit) && parseQuantity(value) > parseQuantity(limit)) {
      problems.push(`${key}: ${String(value)} is above limits.${match[2]} ${String(limit)}`);
    }
  }
  return problems;
}
