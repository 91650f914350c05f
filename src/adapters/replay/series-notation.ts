/**
 * Prometheus unit-test series notation (promtool test rules, promql test scripts):
 * space-separated items, each one of
 *
 * - `a`        one sample (numbers in decimal or scientific notation, signed, `Inf`, `-Inf`, `NaN`)
 * - `_`        one missing sample
 * - `_xN`      N missing samples (exactly N: upstream's `BLANK TIMES uint` loops `i < N`)
 * - `axN`      N+1 samples of a (upstream adds "an additional value for time 0")
 * - `a+bxN`    N+1 samples a, a+b, …, a+N·b
 * - `a-bxN`    N+1 samples a, a-b, …, a-N·b
 * - `stale`    a staleness marker, which replay treats as a missing sample
 *
 * Missing samples come back as `null` so callers keep each value's position (and so its timestamp).
 */

export type SeriesValue = number | null;

export class SeriesNotationError extends Error {
  constructor(
    readonly item: string,
    problem: string,
  ) {
    super(`${problem} in series item "${item}"`);
    this.name = 'SeriesNotationError';
  }
}

/** A guard against `1x100000000`: replay worlds are small. */
export const maxSeriesValues = 100_000;

const NUMBER = String.raw`(?:[+-]?(?:Inf|inf|NaN|nan|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))`;
const SIGNED = String.raw`(?:[+-](?:Inf|inf|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))`;
const VALUE_ITEM = new RegExp(`^(${NUMBER})(?:(${SIGNED})?x(\\d+))?$`);
const BLANK_ITEM = /^_(?:x(\d+))?$/;

function toNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function repeatCount(item: string, digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > maxSeriesValues) {
    throw new SeriesNotationError(item, `repeat count ${digits} is larger than ${maxSeriesValues}`);
  }
  return n;
}

function expandItem(item: string, out: SeriesValue[]): void {
  if (item === 'stale') {
    out.push(null);
    return;
  }
  const blank = BLANK_ITEM.exec(item);
  if (blank) {
    const count = blank[1] === undefined ? 1 : repeatCount(item, blank[1]);
    for (let i = 0; i < count; i++) out.push(null);
    return;
  }
  const match = VALUE_ITEM.exec(item);
  if (!match || match[1] === undefined) {
    throw new SeriesNotationError(item, 'expected a number, `_`, `stale`, `axN`, `a+bxN` or `a-bxN`');
  }
  const start = toNumber(match[1]);
  if (match[3] === undefined) {
    out.push(start);
    return;
  }
  const times = repeatCount(item, match[3]);
  const step = match[2] === undefined ? 0 : toNumber(match[2]);
  // Multiplying rather than accumulating keeps 0.1+0.1x30 from drifting.
  for (let i = 0; i <= times; i++) out.push(step === 0 ? start : start + step * i);
}

/** Expands a values string into one entry per step, `null` where a sample is missing. */
export function parseSeriesValues(notation: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of notation.trim().split(/\s+/)) {
    if (item === '') continue;
    expandItem(item, out);
    if (out.length > maxSeriesValues) {
      throw new SeriesNotationError(item, `series expands to more than ${maxSeriesValues} values`);
    }
  }
  return out;
}

/** Parses a Prometheus duration (`30s`, `1m`, `1h30m`, `500ms`) into milliseconds. */
export function parseDurationMs(text: string): number {
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
  };
  const trimmed = text.trim();
  if (!/^(?:\d+(?:ms|s|m|h|d|w|y))+$/.test(trimmed)) {
    throw new Error(`invalid duration "${text}" (expected e.g. 15s, 1m, 1h30m)`);
  }
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(part[1]) * (units[part[2] ?? ''] ?? 0);
  }
  if (total <= 0) throw new Error(`duration "${text}" must be positive`);
  return total;
}
