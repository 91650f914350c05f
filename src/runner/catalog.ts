import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { Playbook, PlaybookCatalog } from '../domain/playbook.js';
import { checkPlaybookFile } from './playbook-checks.js';
import { CONTRACT_PLAYBOOK_IDS } from './playbook-contract.js';
import { type CatalogStep, describeIssue, playbookFileSchema, toPlaybook } from './playbook-file.js';
import { compileParams, createParamsAjv, type ParamsValidator } from './playbook-params.js';

/** The repository's playbooks/ folder, found from this module so it works from any working directory. */
export function defaultPlaybookDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../playbooks');
}

export interface LoadCatalogOptions {
  /** Ids that must be present; default: every id in CONTRACTS.md. */
  requiredIds?: readonly string[];
}

/** A path as a person would type it from here: relative to the working directory when inside it. */
function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

interface Loaded {
  playbook: Playbook;
  validate: ParamsValidator;
}

function parseFile(text: string, shown: string, ajv: ReturnType<typeof createParamsAjv>): Loaded | string[] {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return document.errors.map((error) => {
      const at = error.linePos?.[0];
      return `${shown}: ${at ? `line ${at.line}, column ${at.col}` : '(top level)'}: not valid YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    });
  }
  const parsed = playbookFileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    return parsed.error.issues
      .flatMap((issue) => describeIssue(issue).split('\n'))
      .map((line) => `${shown}: ${line}`);
  }
  const playbook = toPlaybook(parsed.data, shown);
  const problems: string[] = [];
  let validate: ParamsValidator | null = null;
  try {
    validate = compileParams(ajv, parsed.data.params);
  } catch (error) {
    problems.push(`params: invalid JSON Schema: ${(error as Error).message}`);
  }
  problems.push(...checkPlaybookFile(parsed.data, playbook.steps as CatalogStep[], validate));
  if (problems.length > 0 || !validate) return problems.map((problem) => `${shown}: ${problem}`);
  return { playbook, validate };
}

/**
 * Loads and strictly validates every *.yaml / *.yml file in `dir`. Every problem is collected (file, path in
 * the file, what is wrong) and thrown together as MEDIC_E_INVALID_PLAYBOOK with `details.problems`.
 */
export async function loadCatalog(dir: string, options: LoadCatalogOptions = {}): Promise<PlaybookCatalog> {
  const shownDir = displayPath(dir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    throw new MedicError(
      ErrorCodes.invalidPlaybook,
      `${shownDir}: cannot read the playbook folder: ${(error as Error).message}`,
      { problems: [`${shownDir}: cannot be read`], dir },
      { cause: error },
    );
  }
  const ajv = createParamsAjv();
  const problems: string[] = [];
  const loaded = new Map<string, Loaded>();
  for (const name of names) {
    const file = join(dir, name);
    const shown = displayPath(file);
    const result = parseFile(await readFile(file, 'utf8'), shown, ajv);
    if (Array.isArray(result)) {
      problems.push(...result);
      continue;
    }
    const earlier = loaded.get(result.playbook.id);
    if (earlier) {
      problems.push(
        `${shown}: id: duplicate id "${result.playbook.id}" (also in ${earlier.playbook.source})`,
      );
      continue;
    }
    loaded.set(result.playbook.id, result);
  }
  const seenIds = new Set(loaded.keys());
  // A file that failed validation may still hold a required id; only name ids no file mentions.
  for (const id of options.requiredIds ?? CONTRACT_PLAYBOOK_IDS) {
    const mentioned = problems.some((problem) => problem.startsWith(`${join(shownDir, `${id}.`)}`));
    if (!seenIds.has(id) && !mentioned)
      problems.push(`${shownDir}: no playbook with id "${id}" (CONTRACTS.md requires it)`);
  }
  if (problems.length > 0) {
    throw new MedicError(
      ErrorCodes.invalidPlaybook,
      `${problems.length} problem(s) in the playbooks in ${shownDir}:\n  ${problems.join('\n  ')}`,
      { problems, dir },
    );
  }
  return createCatalog([...loaded.values()]);
}

function createCatalog(entries: readonly Loaded[]): PlaybookCatalog {
  const byId = new Map(entries.map((entry) => [entry.playbook.id, entry]));
  const list = Object.freeze(
    [...entries].map((entry) => entry.playbook).sort((a, b) => a.id.localeCompare(b.id)),
  );
  return {
    list: () => list,
    get: (id) => byId.get(id)?.playbook,
    checkParams(id, params) {
      const entry = byId.get(id);
      if (!entry) return [`playbook: unknown playbook "${id}"`];
      return entry.validate(params);
    },
  };
}
