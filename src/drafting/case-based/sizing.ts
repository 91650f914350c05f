import { parseQuantity, saneCpu, saneMemory } from '../../domain/quantity.js';

const MI = 2 ** 20;

/** No proposal ever raises a limit past this multiple of the current one. */
export const MAX_GROWTH = 4;

/**
 * A new memory limit from the observed peak: 1.5× headroom over the peak, at least 1.25× the current
 * limit, rounded the way a person writes it, never more than 4× the current limit.
 */
export function memoryLimitFor(peakBytes: number, currentLimitBytes: number | null): string {
  const current = currentLimitBytes ?? peakBytes;
  const cap = current * MAX_GROWTH;
  const wanted = Math.max(peakBytes * 1.5, current * 1.25);
  const rounded = saneMemory(wanted);
  if (parseQuantity(rounded) <= cap) return rounded;
  // Rounding up overshot the cap: round down instead, to whole mebibytes.
  return `${Math.max(1, Math.floor(cap / MI))}Mi`;
}

/** A new CPU limit: `factor` × the larger of the current limit and the observed peak, never more than 4× the limit. */
export function cpuLimitFor(peakCores: number, currentLimitCores: number, factor: number): string {
  const cap = currentLimitCores * MAX_GROWTH;
  const wanted = Math.max(currentLimitCores, peakCores) * factor;
  const rounded = saneCpu(Math.min(wanted, cap));
  if (parseQuantity(rounded) <= cap + 1e-9) return rounded;
  return `${Math.max(1, Math.floor(cap * 1000))}m`;
}

/** A bigger count, by `factor`, at least one more, never more than twice the current. */
export function grow(current: number, factor: number): number {
  const wanted = Math.max(current + 1, Math.ceil(current * factor));
  return Math.min(wanted, Math.max(current * 2, 1));
}
