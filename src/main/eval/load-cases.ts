import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import picomatch from 'picomatch';
import { loadWorld, type World } from '../../adapters/replay/world.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { type HistoryEntry, parseHistory } from '../../domain/memory/history.js';
import { type CaseSpec, contractPlaybookIds, invalidCase, parseCaseSpec } from '../../evals/case-spec.js';
import type { CaseEntry } from '../../evals/harness.js';

export interface LoadedCase {
  id: string;
  dir: string;
  spec: CaseSpec;
  world: World;
  history: HistoryEntry[];
}

const MAX_DEPTH = 4;

/** Folders under `root` (itself included) that hold a case.yaml, sorted. */
export async function findCaseDirs(root: string): Promise<string[]> {
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new MedicError(ErrorCodes.usage, `${root}: not a case folder: ${(error as Error).message}`);
  }
  const found: string[] = [];
  const walk = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'case.yaml')) {
      found.push(dir);
      return;
    }
    if (depth >= MAX_DEPTH) return;
    for (const e of entries)
      if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
  };
  await walk(root, 0);
  return found.sort();
}

async function readHistory(dir: string, name: string, casePath: string): Promise<HistoryEntry[]> {
  const file = join(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw invalidCase(casePath, 'history', missing ? `file ${file} not found` : `cannot read ${file}`);
  }
  return parseHistory(text, file);
}

/** Loads one case folder: the world, the strict case spec and the history it names. */
export async function loadCase(
  dir: string,
  playbookIds: readonly string[] = contractPlaybookIds,
): Promise<LoadedCase> {
  const world = await loadWorld(dir);
  const casePath = join(dir, 'case.yaml');
  const spec = parseCaseSpec(world.caseFile, casePath, playbookIds);
  const history = spec.historyFile ? await readHistory(dir, spec.historyFile, casePath) : [];
  return { id: spec.id, dir, spec, world, history };
}

/**
 * Every case under `root` whose folder (relative to root) or id matches `filter`; a case that does not
 * load becomes an entry with its `file:field: problem` message, so the others still run.
 */
export async function loadCases(
  root: string,
  options: { filter?: string; playbookIds?: readonly string[] } = {},
): Promise<Array<CaseEntry<LoadedCase>>> {
  const matches = options.filter ? picomatch(options.filter) : () => true;
  const dirs = await findCaseDirs(root);
  const entries = await Promise.all(
    dirs.map(async (dir): Promise<CaseEntry<LoadedCase> | null> => {
      const name = relative(root, dir) || basename(dir);
      try {
        const loaded = await loadCase(dir, options.playbookIds);
        if (!matches(name) && !matches(loaded.id)) return null;
        return { ok: true, id: loaded.id, case: loaded };
      } catch (error) {
        if (!matches(name)) return null;
        return { ok: false, id: basename(dir), error: (error as Error).message };
      }
    }),
  );
  const kept = entries.filter((e): e is CaseEntry<LoadedCase> => e !== null);
  const ids = new Map<string, number>();
  for (const e of kept) ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
  return kept.map((e) =>
    e.ok && (ids.get(e.id) ?? 0) > 1
      ? {
          ok: false,
          id: e.id,
          error: `${join(e.case.dir, 'case.yaml')}:id: "${e.id}" is used by another case`,
        }
      : e,
  );
}
