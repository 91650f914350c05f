import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatPath } from '../domain/alertmanager-payload.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import { configSchema, envBindings, type MedicConfig } from './schema.js';

export interface ConfigSource {
  env: Readonly<Record<string, string | undefined>>;
  /** Defaults to MEDIC_CONFIG, then ./medic.yaml when it exists. */
  file?: string;
}

type Tree = Record<string, unknown>;

function readFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MedicError(
      ErrorCodes.config,
      `config file ${path} cannot be read: ${(error as Error).message}`,
      { path },
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new MedicError(
      ErrorCodes.config,
      `config file ${path} is not valid YAML: ${(error as Error).message}`,
      { path },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MedicError(ErrorCodes.config, `config file ${path} must hold a mapping at the top level`, {
      path,
    });
  }
  // A section whose keys are all commented out parses as null; treat it as empty.
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, value === null ? {} : value]));
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[segment] = {};
    node = node[segment] as Tree;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function envValue(env: string, raw: string, type: 'string' | 'number'): unknown {
  if (type === 'string') return raw;
  const number = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(number)) {
    throw new MedicError(ErrorCodes.config, `${env}: must be a number, got "${raw}"`, { key: env });
  }
  return number;
}

/** Reads, merges and validates configuration; any problem names the key and stops start-up. */
export function loadConfig(source: ConfigSource): MedicConfig {
  const explicit = source.file ?? source.env['MEDIC_CONFIG'];
  const path = explicit ?? (existsSync('medic.yaml') ? 'medic.yaml' : undefined);
  const tree: Tree = path ? readFile(path) : {};
  const fromEnv = new Map<string, string>();
  for (const binding of envBindings) {
    const raw = source.env[binding.env];
    if (raw === undefined || raw === '') continue;
    setPath(tree, binding.path, envValue(binding.env, raw, binding.type));
    fromEnv.set(binding.path.join('.'), binding.env);
  }
  const result = configSchema.safeParse(tree);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = formatPath(issue.path);
    const env = fromEnv.get(issue.path.join('.'));
    const where = env ? `${key} (from ${env})` : key;
    const unknownKeys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    return `${where}: ${issue.message}${unknownKeys}`;
  });
  throw new MedicError(
    ErrorCodes.config,
    `invalid configuration${path ? ` in ${path}` : ''}:\n  ${problems.join('\n  ')}`,
    {
      problems,
    },
  );
}
