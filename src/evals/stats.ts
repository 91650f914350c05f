/** Nearest-rank percentile (the smallest value with at least p% of values at or below it); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Population standard deviation: the spread of the runs actually made, not an estimate of more. */
export function stdev(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length);
}

export interface Spread {
  mean: number | null;
  stdev: number | null;
  min: number | null;
  max: number | null;
}

export function spread(values: readonly number[]): Spread {
  return {
    mean: round(mean(values)),
    stdev: round(stdev(values)),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

/** Four decimals: enough for an accuracy, stable across runs of the same answers. */
export function round(value: number | null, digits = 4): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Mean of the values that apply (non-null); null when none does. */
export function rate(values: ReadonlyArray<boolean | number | null>): number | null {
  const applicable = values.filter((v): v is boolean | number => v !== null);
  return round(mean(applicable.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v))));
}
