const MI = 2 ** 20;
const GI = 2 ** 30;

/** Bytes as a person reads them: 498Mi, 1.5Gi. */
export function bytes(value: number): string {
  if (Math.abs(value) >= GI) return `${round(value / GI, 2)}Gi`;
  if (Math.abs(value) >= MI) return `${round(value / MI, 0)}Mi`;
  return `${Math.round(value)}B`;
}

export function cores(value: number): string {
  return value < 1 ? `${Math.round(value * 1000)}m` : `${round(value, 2)} cores`;
}

export function percent(ratio: number): string {
  return `${round(ratio * 100, 0)}%`;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
