import type { CatalogStep } from './playbook-file.js';

/** Whether a step runs for these parameters: every `when` entry must equal the parameter's value. */
export function stepApplies(step: CatalogStep, params: Record<string, unknown>): boolean {
  if (!step.when) return true;
  return Object.entries(step.when).every(
    ([key, value]) => Object.hasOwn(params, key) && params[key] === value,
  );
}
