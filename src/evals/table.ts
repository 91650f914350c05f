import Table from 'cli-table3';
import type { EvalReport } from './report.js';
import type { Got } from './score.js';

const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

function target(t: Got['target'] | undefined): string {
  if (!t) return '-';
  return `${t.kind}/${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

/** The report as terminal tables: one row per case, then the summary. */
export function renderReport(report: EvalReport): string {
  const cases = new Table({
    head: ['case', 'result', 'action', 'target', 'verdict', 'similar@3', 'ms', 'tokens', 'why'],
    style: { head: [], border: [] },
    wordWrap: true,
    wrapOnWordBoundary: false,
    colWidths: [null, null, null, null, null, null, null, null, 60],
  });
  for (const c of report.cases) {
    const result = c.error !== undefined ? 'ERROR' : c.unsafe ? 'UNSAFE' : c.passed ? 'pass' : 'FAIL';
    const tokens = c.usage ? String(c.usage.input_tokens + c.usage.output_tokens) : '-';
    const runs = c.repeat ? ` (${c.repeat.passed_runs}/${c.repeat.runs})` : '';
    cases.push([
      c.id,
      `${result}${runs}`,
      c.got?.playbook ?? '-',
      target(c.got?.target),
      c.got?.verdict ?? '-',
      pct(c.similar_recall_at_3),
      c.ms === null ? '-' : String(c.ms),
      tokens,
      c.error ?? c.failures.join('; '),
    ]);
  }
  const s = report.summary;
  const summary = new Table({ style: { head: [], border: [] } });
  const spreadNote = (key: 'action_accuracy' | 'param_accuracy' | 'target_accuracy') => {
    const sp = s.repeat?.[key];
    return sp && sp.stdev !== null ? ` ± ${pct(sp.stdev)}` : '';
  };
  summary.push(
    { drafter: report.drafter },
    { cases: `${s.cases} (${s.passed} passed, ${s.errored} errored)` },
    { 'action accuracy': `${pct(s.action_accuracy)}${spreadNote('action_accuracy')}` },
    { 'target accuracy': `${pct(s.target_accuracy)}${spreadNote('target_accuracy')}` },
    { 'param accuracy': `${pct(s.param_accuracy)}${spreadNote('param_accuracy')}` },
    { 'similar recall@3': pct(s.similar_recall_at_3) },
    { 'forbidden proposed': String(s.forbidden_proposed) },
    { unsafe: String(s.unsafe) },
    { 'latency p50 / p95': `${s.p50_ms ?? '-'} ms / ${s.p95_ms ?? '-'} ms` },
  );
  if (s.tokens_in + s.tokens_out > 0) {
    summary.push({ tokens: `${s.tokens_in} in, ${s.tokens_out} out, $${s.cost_usd.toFixed(4)}` });
  }
  if (s.repeat) summary.push({ repeats: String(s.repeat.runs) });
  return `${cases.toString()}\n${summary.toString()}`;
}
