import { isDeepStrictEqual } from 'node:util';
import { isQuantity, parseQuantity } from '../domain/quantity.js';
import type { Constraint, ParamConstraints, Range } from './case-spec.js';

/** A parameter by its dotted name ("limits.memory"), stored flat or nested. */
export function paramValue(params: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(params, key)) return params[key];
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const head = params[key.slice(0, dot)];
  if (head === null || typeof head !== 'object' || Array.isArray(head)) return undefined;
  return paramValue(head as Record<string, unknown>, key.slice(dot + 1));
}

function isRange(constraint: Constraint): constraint is Range {
  return constraint !== null && typeof constraint === 'object';
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Why the value breaks the constraint, or null when it holds. Quantities compare by value. */
export function constraintProblem(key: string, constraint: Constraint, value: unknown): string | null {
  if (value === undefined) return `${key}: missing, expected ${describe(constraint)}`;
  if (isRange(constraint)) {
    if (!isQuantity(value)) return `${key}: ${show(value)} is not a number or quantity`;
    const actual = parseQuantity(value);
    if (constraint.min !== undefined && actual < parseQuantity(constraint.min))
      return `${key}: ${show(value)} is below ${show(constraint.min)}`;
    if (constraint.max !== undefined && actual > parseQuantity(constraint.max))
      return `${key}: ${show(value)} is above ${show(constraint.max)}`;
    return null;
  }
  if (isDeepStrictEqual(constraint, value)) return null;
  if (isQuantity(constraint) && isQuantity(value) && parseQuantity(constraint) === parseQuantity(value))
    return null;
  return `${key}: ${show(value)}, expected ${show(constraint)}`;
}

function describe(constraint: Constraint): string {
  if (!isRange(constraint)) return show(constraint);
  const parts = [
    constraint.min !== undefined ? `≥ ${show(constraint.min)}` : null,
    constraint.max !== undefined ? `≤ ${show(constraint.max)}` : null,
  ];
  return parts.filter((p) => p !== null).join(' and ');
}

/** Every broken constraint, as `key: problem`. */
export function paramProblems(constraints: ParamConstraints, params: Record<string, unknown>): string[] {
  return Object.entries(constraints)
    .map(([key, constraint]) => constraintProblem(key, constraint, paramValue(params, key)))
    .filter((problem): problem is string => problem !== null);
}
