import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { ObjectRef } from '../domain/playbook.js';

/** The values a template may refer to; nothing else is reachable from a template. */
export interface TemplateValues {
  params: Record<string, unknown>;
  target: ObjectRef;
  /** RFC 3339, seconds precision. */
  now: string;
}

const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const ANY = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PARAMS_PREFIX = 'params.';
const CONTEXT_NAMES = new Set(['now', 'target.kind', 'target.namespace', 'target.name']);

/** Marks a value whose placeholder refers to an absent optional parameter: its key is left out. */
const ABSENT: unique symbol = Symbol('absent');
type Rendered = unknown | typeof ABSENT;

export interface Placeholder {
  /** Where in the template, e.g. `spec.replicas` or `[0].value`. */
  path: string;
  /** The text between the braces, trimmed, e.g. `params.replicas`. */
  name: string;
}

/** Every placeholder in a template and every malformed `{{`/`}}`, for validating a playbook file. */
export function scanTemplate(template: unknown): { placeholders: Placeholder[]; malformed: string[] } {
  const placeholders: Placeholder[] = [];
  const malformed: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(ANY)) placeholders.push({ path, name: match[1] ?? '' });
      const rest = value.replace(ANY, '');
      if (rest.includes('{{') || rest.includes('}}')) malformed.push(path);
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(template, '');
  return { placeholders, malformed };
}

/** Whether a placeholder name refers to something a template may use, given the declared parameter keys. */
export function isKnownPlaceholder(name: string, declaredParams: ReadonlySet<string>): boolean {
  if (CONTEXT_NAMES.has(name)) return true;
  return name.startsWith(PARAMS_PREFIX) && declaredParams.has(name.slice(PARAMS_PREFIX.length));
}

/**
 * Renders plain template data: a string that is exactly one placeholder becomes the value (type kept), a
 * placeholder inside a longer string is interpolated as text. Values are inserted once and never scanned
 * again, and object keys are never templated, so a parameter cannot inject placeholders, keys or code.
 * A placeholder for an absent parameter removes its key (or array item); an object or array emptied that way
 * is removed too. Returns undefined when everything was removed.
 */
export function renderTemplate(template: unknown, values: TemplateValues): unknown {
  const rendered = renderValue(template, values);
  return rendered === ABSENT ? undefined : rendered;
}

function renderValue(value: unknown, values: TemplateValues): Rendered {
  if (typeof value === 'string') return renderString(value, values);
  if (Array.isArray(value)) {
    const items = value.map((item) => renderValue(item, values)).filter((item) => item !== ABSENT);
    return items.length === 0 && value.length > 0 ? ABSENT : items;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, renderValue(item, values)] as const)
      .filter(([, item]) => item !== ABSENT);
    if (entries.length === 0 && Object.keys(value).length > 0) return ABSENT;
    // fromEntries defines own properties, so even a "__proto__" key cannot reach a prototype.
    return Object.fromEntries(entries);
  }
  return value;
}

function renderString(text: string, values: TemplateValues): Rendered {
  const whole = WHOLE.exec(text);
  if (whole) return lookup(whole[1] ?? '', values);
  let absent = false;
  const out = text.replace(ANY, (_match, name: string) => {
    const value = lookup(name, values);
    if (value === ABSENT) {
      absent = true;
      return '';
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    throw new MedicError(
      ErrorCodes.invalidPlaybook,
      `placeholder {{ ${name} }} inside text needs a scalar value`,
      {
        placeholder: name,
      },
    );
  });
  return absent ? ABSENT : out;
}

function lookup(name: string, values: TemplateValues): Rendered {
  switch (name) {
    case 'now':
      return values.now;
    case 'target.kind':
      return values.target.kind;
    case 'target.name':
      return values.target.name;
    case 'target.namespace':
      return values.target.namespace ?? ABSENT;
  }
  if (name.startsWith(PARAMS_PREFIX)) {
    const key = name.slice(PARAMS_PREFIX.length);
    if (!Object.hasOwn(values.params, key)) return ABSENT;
    const value = values.params[key];
    return value === undefined || value === null ? ABSENT : structuredClone(value);
  }
  throw new MedicError(ErrorCodes.invalidPlaybook, `unknown placeholder {{ ${name} }}`, {
    placeholder: name,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 3339 at seconds precision, as kubectl writes restartedAt. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
