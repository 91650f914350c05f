import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import {
  completePolicy,
  DEFAULT_OWN_NAMESPACE,
  defaultPolicy,
  type Policy,
  policySchema,
} from './policy-schema.js';

export interface LoadPolicyOptions {
  /** Path to policy.yaml; absent → the safe defaults. */
  file?: string;
  /** The namespace medic runs in; always protected. */
  ownNamespace?: string;
}

/** Reads and validates the policy file; a problem names the file and the key path. */
export async function loadPolicy(options: LoadPolicyOptions): Promise<Policy> {
  const ownNamespace = options.ownNamespace ?? DEFAULT_OWN_NAMESPACE;
  if (options.file === undefined) return defaultPolicy(ownNamespace);
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new MedicError(
      ErrorCodes.invalidPolicy,
      `${options.file}: cannot be read: ${(error as Error).message}`,
      { file: options.file },
      { cause: error },
    );
  }
  return parsePolicy(text, options.file, ownNamespace);
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out.length === 0 ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    // Name the unknown key itself, so "limits.scale.maxFactr" points at the typo.
    return { path: keyPath([...issue.path, ...issue.keys]), message: 'unknown key' };
  }
  if (issue.code === 'invalid_type') {
    return { path: keyPath(issue.path), message: `expected ${issue.expected}` };
  }
  return { path: keyPath(issue.path), message: issue.message };
}

/** Validates policy YAML text; `file` names the source in errors. */
export function parsePolicy(
  text: string,
  file: string,
  ownNamespace: string = DEFAULT_OWN_NAMESPACE,
): Policy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new MedicError(
      ErrorCodes.invalidPolicy,
      `${file}: not valid YAML: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
  const result = policySchema.safeParse(document ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(describeIssue);
    throw new MedicError(
      ErrorCodes.invalidPolicy,
      problems.map((problem) => `${file}: ${problem.path}: ${problem.message}`).join('; '),
      { file, problems },
    );
  }
  return completePolicy(result.data, ownNamespace);
}
