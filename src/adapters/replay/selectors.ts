/** Kubernetes label and field selectors, as the API server evaluates them on list requests. */

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorError(`unbalanced parentheses in "${selector}"`);
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new SelectorError(`unbalanced parentheses in "${selector}"`);
  terms.push(current.trim());
  return terms.filter((t) => t !== '');
}

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';
const setTerm = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
const equalityTerm = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const existsTerm = new RegExp(`^(!?)\\s*(${KEY})$`);

export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTerms(selector).map((term): LabelRequirement => {
    const set = setTerm.exec(term);
    if (set?.[1] !== undefined && set[3] !== undefined) {
      const values = set[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { key: set[1], op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    const eq = equalityTerm.exec(term);
    if (eq?.[1] !== undefined && eq[3] !== undefined) {
      return { key: eq[1], op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]] };
    }
    const exists = existsTerm.exec(term);
    if (exists?.[2] !== undefined) {
      return { key: exists[2], op: exists[1] === '!' ? 'doesnotexist' : 'exists' };
    }
    throw new SelectorError(`unable to parse requirement "${term}"`);
  });
}

export function labelsMatch(
  requirements: readonly LabelRequirement[],
  labels: Record<string, string>,
): boolean {
  return requirements.every((req) => {
    const value = Object.hasOwn(labels, req.key) ? labels[req.key] : undefined;
    if (!('values' in req)) return req.op === 'exists' ? value !== undefined : value === undefined;
    const listed = value !== undefined && req.values.includes(value);
    return req.op === 'in' ? listed : !listed;
  });
}

export interface FieldRequirement {
  path: string;
  negate: boolean;
  value: string;
}

export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitTerms(selector).map((term) => {
    const match = /^([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (match?.[1] === undefined || match[3] === undefined) {
      throw new SelectorError(`invalid field selector term "${term}"`);
    }
    return { path: match[1], negate: match[2] === '!=', value: match[3].trim() };
  });
}

function fieldValue(object: unknown, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? '' : String(current);
}

/** Any dotted path is accepted (the API server accepts a fixed set per resource). */
export function fieldsMatch(requirements: readonly FieldRequirement[], object: unknown): boolean {
  return requirements.every((req) => (fieldValue(object, req.path) === req.value) !== req.negate);
}
