import type { CaseSpec } from './case-spec.js';
import type { CaseResult, CaseRun, RunResult } from './report.js';
import { scoreCase } from './score.js';

/** A case folder as discovered: loaded, or broken with a `file:field: problem` message. */
export type CaseEntry<C extends { spec: CaseSpec }> =
  | { ok: true; id: string; case: C }
  | { ok: false; id: string; error: string };

export interface SuiteOptions {
  /** Cases run at once. */
  concurrency: number;
  /** Runs of each case. */
  repeat: number;
  /** Called after each run (or broken case) with how many are done out of how many. */
  onProgress?: (done: number, total: number, id: string) => void;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the results in order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs every loaded case `repeat` times through `run` and scores each run; a broken case, or a run that
 * throws, is reported as errored and the others go on.
 */
export async function runSuite<C extends { spec: CaseSpec }>(
  entries: ReadonlyArray<CaseEntry<C>>,
  run: (loaded: C, repeat: number) => Promise<CaseRun>,
  options: SuiteOptions,
): Promise<CaseResult[]> {
  const total = entries.reduce((n, e) => n + (e.ok ? options.repeat : 1), 0);
  let done = 0;
  const tick = (id: string) => {
    done += 1;
    options.onProgress?.(done, total, id);
  };
  const jobs = entries.flatMap((entry, index) =>
    entry.ok ? Array.from({ length: options.repeat }, (_, repeat) => ({ entry, index, repeat })) : [],
  );
  const results: CaseResult[] = entries.map((entry) => ({
    id: entry.id,
    title: entry.ok ? entry.case.spec.title : null,
    loadError: entry.ok ? null : entry.error,
    runs: [],
  }));
  for (const entry of entries) if (!entry.ok) tick(entry.id);
  const outcomes = await mapBounded(jobs, options.concurrency, async ({ entry, repeat }) => {
    let outcome: RunResult;
    if (!entry.ok) throw new Error('unreachable: broken cases have no jobs');
    try {
      const caseRun = await run(entry.case, repeat);
      outcome = {
        ok: true,
        run: caseRun,
        score: scoreCase(entry.case.spec.expect, caseRun.got, caseRun.similarIds),
      };
    } catch (error) {
      outcome = { ok: false, error: message(error) };
    }
    tick(entry.id);
    return outcome;
  });
  jobs.forEach((job, i) => {
    const outcome = outcomes[i];
    if (outcome) results[job.index]?.runs.push(outcome);
  });
  return results;
}
