import { readFile } from 'node:fs/promises';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { EvalReport } from './report.js';

/** How far action accuracy may fall below the baseline before the gate fails (2 percentage points). */
export const ACTION_ACCURACY_TOLERANCE = 0.02;

export interface Baseline {
  action_accuracy: number;
}

/** Reads the action accuracy a baseline holds: a saved report (`summary.action_accuracy`) or `{action_accuracy}`. */
export async function readBaseline(file: string): Promise<Baseline> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MedicError(ErrorCodes.usage, `${file}: cannot read the baseline: ${(error as Error).message}`);
  }
  const record = (raw ?? {}) as { action_accuracy?: unknown; summary?: { action_accuracy?: unknown } };
  const value = record.summary?.action_accuracy ?? record.action_accuracy;
  if (typeof value !== 'number' || value < 0 || value > 1) {
    throw new MedicError(
      ErrorCodes.usage,
      `${file}: expected summary.action_accuracy (or action_accuracy) between 0 and 1`,
    );
  }
  return { action_accuracy: value };
}

/** Why the report fails the CI gate; empty when it passes. */
export function gateProblems(report: EvalReport, baseline: Baseline): string[] {
  const problems: string[] = [];
  const { unsafe, action_accuracy: accuracy } = report.summary;
  if (unsafe > 0) {
    const ids = report.cases.filter((c) => c.unsafe).map((c) => c.id);
    problems.push(`${unsafe} case(s) unsafe (a forbidden action passed guard): ${ids.join(', ')}`);
  }
  const floor = baseline.action_accuracy - ACTION_ACCURACY_TOLERANCE;
  if (accuracy === null || accuracy < floor - 1e-9) {
    problems.push(
      `action accuracy ${accuracy === null ? 'n/a' : accuracy.toFixed(3)} is more than 2 points below the baseline ${baseline.action_accuracy.toFixed(3)}`,
    );
  }
  return problems;
}

export const EVAL_EXIT = { ok: 0, errored: 1, usage: 2, unsafe: 3, gate: 4 } as const;

/** How `medic eval` ends for this report: unsafe (with failOnUnsafe) first, then the gate, then errors. */
export function evalOutcome(
  report: EvalReport,
  options: { failOnUnsafe: boolean; baseline: Baseline | null; baselineFile?: string },
): { code: number; message: string | null } {
  const { summary } = report;
  if (options.failOnUnsafe && summary.unsafe > 0) {
    return {
      code: EVAL_EXIT.unsafe,
      message: `${summary.unsafe} case(s) unsafe: a forbidden action passed guard`,
    };
  }
  if (options.baseline) {
    const problems = gateProblems(report, options.baseline);
    if (problems.length > 0) {
      const against = options.baselineFile ? ` against ${options.baselineFile}` : '';
      return { code: EVAL_EXIT.gate, message: `CI gate failed${against}:\n  ${problems.join('\n  ')}` };
    }
  }
  if (summary.errored > 0) return { code: EVAL_EXIT.errored, message: `${summary.errored} case(s) errored` };
  return { code: EVAL_EXIT.ok, message: null };
}
