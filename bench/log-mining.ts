// node --import tsx bench/log-mining.ts — Drain log-pattern mining throughput on generated lines,
// against a baseline (lower-case + whitespace tokenise of the same lines) measured in the same run.
import { pathToFileURL } from 'node:url';
import { LogPatternMiner, type MinedLine } from '../src/domain/evidence/log-patterns.js';
import { generateLogLines } from '../test/evidence/log-corpus.js';

export { generateLogLines, LOG_TEMPLATES } from '../test/evidence/log-corpus.js';

function mine(lines: readonly MinedLine[]): { seconds: number; patterns: number } {
  const t0 = performance.now();
  const miner = new LogPatternMiner();
  for (const line of lines) miner.add(line);
  const patterns = miner.patterns().length;
  return { seconds: (performance.now() - t0) / 1000, patterns };
}

function baseline(lines: readonly MinedLine[]): number {
  const t0 = performance.now();
  let tokens = 0;
  for (const line of lines) tokens += line.message.toLowerCase().split(/\s+/).length;
  if (tokens < 0) console.log(tokens); // keeps the loop observable
  return (performance.now() - t0) / 1000;
}

export interface LogMiningBench {
  linesPerSecond: number;
  patterns: number;
  baselineLinesPerSecond: number;
  /** Mining time ÷ baseline (lower-case + tokenise) time for the same lines. */
  ratio: number;
}

/** Mines 100k generated lines after a warm-up; best of `runs`. */
export async function benchLogMining(count = 100_000, runs = 3): Promise<LogMiningBench> {
  const { lines } = generateLogLines(count);
  mine(lines.slice(0, 10_000));
  baseline(lines.slice(0, 10_000));
  let best = Number.POSITIVE_INFINITY;
  let bestBase = Number.POSITIVE_INFINITY;
  let patterns = 0;
  for (let i = 0; i < runs; i++) {
    const m = mine(lines);
    best = Math.min(best, m.seconds);
    patterns = m.patterns;
    bestBase = Math.min(bestBase, baseline(lines));
  }
  return {
    linesPerSecond: Math.round(count / best),
    patterns,
    baselineLinesPerSecond: Math.round(count / bestBase),
    ratio: best / bestBase,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchLogMining();
  console.log(`log mining: ${r.linesPerSecond.toLocaleString('en')} lines/s, ${r.patterns} patterns`);
  console.log(`baseline (lower-case + split): ${r.baselineLinesPerSecond.toLocaleString('en')} lines/s`);
  console.log(`mining costs ${r.ratio.toFixed(1)}× the baseline`);
}
