import type { TokenUsage } from '../domain/draft.js';
import type { CaseScore, Got } from './score.js';
import { percentile, rate, round, type Spread, spread } from './stats.js';

/** One run of one case through the pipeline, as the composition answers it. */
export interface CaseRun {
  got: Got;
  /** Retrieved past-incident ids, best first; null when retrieval never ran (no incident was opened). */
  similarIds: string[] | null;
  /** Pipeline time from the alert payload to guard's verdict. */
  ms: number;
  usage: TokenUsage | null;
  /** Why guard decided as it did. */
  verdictReasons: string[];
}

export type RunResult = { ok: true; run: CaseRun; score: CaseScore } | { ok: false; error: string };

export interface CaseResult {
  id: string;
  title: string | null;
  /** A case that could not be loaded has no runs and this error. */
  loadError: string | null;
  runs: RunResult[];
}

export interface ReportUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface CaseReport {
  id: string;
  title: string | null;
  passed: boolean;
  got: Got | null;
  failures: string[];
  unsafe: boolean;
  ms: number | null;
  forbidden: boolean;
  checks: { action: boolean | null; target: boolean | null; params: boolean | null };
  similar_recall_at_3: number | null;
  similar: string[];
  usage: ReportUsage | null;
  verdict_reasons: string[];
  /** Why the case could not run (a broken case file, a pipeline error). */
  error?: string;
  repeat?: { runs: number; passed_runs: number; pass_rate: number | null; ms: Spread };
}

export interface Summary {
  cases: number;
  passed: number;
  errored: number;
  action_accuracy: number | null;
  target_accuracy: number | null;
  param_accuracy: number | null;
  similar_recall_at_3: number | null;
  forbidden_proposed: number;
  unsafe: number;
  p50_ms: number | null;
  p95_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** With --repeat N > 1: how each measure spread across the N passes over the suite. */
  repeat?: {
    runs: number;
    pass_rate: Spread;
    action_accuracy: Spread;
    target_accuracy: Spread;
    param_accuracy: Spread;
    similar_recall_at_3: Spread;
  };
}

export interface EvalReport {
  drafter: string;
  summary: Summary;
  cases: CaseReport[];
}

type Scored = { run: CaseRun; score: CaseScore };

const okRuns = (c: CaseResult): Scored[] => c.runs.flatMap((r) => (r.ok ? [r] : []));
const caseError = (c: CaseResult): string | null =>
  c.loadError ?? c.runs.find((r): r is { ok: false; error: string } => !r.ok)?.error ?? null;

function usageOf(runs: Scored[]): ReportUsage | null {
  const usages = runs.map((r) => r.run.usage).filter((u): u is TokenUsage => u !== null);
  if (usages.length === 0) return null;
  const sum = (pick: (u: TokenUsage) => number) => usages.reduce((s, u) => s + pick(u), 0) / usages.length;
  return {
    input_tokens: Math.round(sum((u) => u.inputTokens)),
    output_tokens: Math.round(sum((u) => u.outputTokens)),
    cost_usd:
      round(
        sum((u) => u.costUsd),
        6,
      ) ?? 0,
  };
}

function caseReport(c: CaseResult): CaseReport {
  const error = caseError(c);
  const runs = error === null ? okRuns(c) : [];
  const first = runs[0];
  const base: CaseReport = {
    id: c.id,
    title: c.title,
    passed: runs.length > 0 && runs.every((r) => r.score.passed),
    got: first?.run.got ?? null,
    failures: runs.flatMap((r, i) =>
      r.score.failures.map((f) => (runs.length > 1 ? `run ${i + 1}: ${f}` : f)),
    ),
    unsafe: runs.some((r) => r.score.unsafe),
    ms: runs.length > 0 ? Math.round(spread(runs.map((r) => r.run.ms)).mean ?? 0) : null,
    forbidden: runs.some((r) => r.score.forbidden),
    checks: {
      action: first?.score.action ?? null,
      target: first?.score.target ?? null,
      params: first?.score.params ?? null,
    },
    similar_recall_at_3: first?.score.similarRecall ?? null,
    similar: first?.run.similarIds?.slice(0, 3) ?? [],
    usage: usageOf(runs),
    verdict_reasons: first?.run.verdictReasons ?? [],
  };
  if (error !== null) base.error = error;
  if (c.runs.length > 1 && error === null) {
    const passedRuns = runs.filter((r) => r.score.passed).length;
    base.repeat = {
      runs: runs.length,
      passed_runs: passedRuns,
      pass_rate: round(passedRuns / runs.length),
      ms: spread(runs.map((r) => Math.round(r.run.ms))),
    };
  }
  return base;
}

function measures(scored: Scored[]) {
  return {
    pass: rate(scored.map((s) => s.score.passed)),
    action: rate(scored.map((s) => s.score.action)),
    target: rate(scored.map((s) => s.score.target)),
    params: rate(scored.map((s) => s.score.params)),
    similar: rate(scored.map((s) => s.score.similarRecall)),
  };
}

function nonNull(values: Array<number | null>): number[] {
  return values.filter((v): v is number => v !== null);
}

/** The report CONTRACTS.md fixes, plus errored cases, token totals and repeat spreads. */
export function buildReport(drafter: string, results: readonly CaseResult[]): EvalReport {
  const cases = results.map(caseReport);
  const ran = results.filter((c) => caseError(c) === null);
  const scored = ran.flatMap(okRuns);
  const all = measures(scored);
  const ms = scored.map((s) => s.run.ms);
  const usages = scored.map((s) => s.run.usage).filter((u): u is TokenUsage => u !== null);
  const summary: Summary = {
    cases: results.length,
    passed: cases.filter((c) => c.passed).length,
    errored: cases.filter((c) => c.error !== undefined).length,
    action_accuracy: all.action,
    target_accuracy: all.target,
    param_accuracy: all.params,
    similar_recall_at_3: all.similar,
    forbidden_proposed: cases.filter((c) => c.forbidden).length,
    unsafe: cases.filter((c) => c.unsafe).length,
    p50_ms: round(percentile(ms, 50), 1),
    p95_ms: round(percentile(ms, 95), 1),
    tokens_in: usages.reduce((s, u) => s + u.inputTokens, 0),
    tokens_out: usages.reduce((s, u) => s + u.outputTokens, 0),
    cost_usd: round(
      usages.reduce((s, u) => s + u.costUsd, 0),
      6,
    ) as number,
  };
  const repeats = Math.max(0, ...ran.map((c) => c.runs.length));
  if (repeats > 1) {
    const passes = Array.from({ length: repeats }, (_, i) =>
      measures(ran.flatMap((c) => okRuns(c).slice(i, i + 1))),
    );
    summary.repeat = {
      runs: repeats,
      pass_rate: spread(nonNull(passes.map((p) => p.pass))),
      action_accuracy: spread(nonNull(passes.map((p) => p.action))),
      target_accuracy: spread(nonNull(passes.map((p) => p.target))),
      param_accuracy: spread(nonNull(passes.map((p) => p.params))),
      similar_recall_at_3: spread(nonNull(passes.map((p) => p.similar))),
    };
  }
  return { drafter, summary, cases };
}
