import { ErrorCodes, MedicError } from './errors.js';

// Kubernetes resource.Quantity suffixes; no maintained Node 20 library parses them (client-node keeps its parser private).
const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The value of a Kubernetes quantity ("512Mi", "250m", "1.5", 2) as a plain number (bytes or cores). */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') {
    if (Number.isFinite(quantity)) return quantity;
  } else {
    const match = QUANTITY.exec(quantity.trim());
    if (match) {
      const [, digits = '', exponent, suffix = ''] = match;
      const base = Number(digits);
      if (exponent) return base * 10 ** Number(exponent.slice(1));
      return base * (binarySuffixes[suffix] ?? decimalSuffixes[suffix] ?? 1);
    }
  }
  throw new MedicError(ErrorCodes.invalidQuantity, `"${String(quantity)}" is not a Kubernetes quantity`, {
    quantity,
  });
}

export function isQuantity(value: unknown): value is string | number {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  try {
    parseQuantity(value);
    return true;
  } catch {
    return false;
  }
}

const MI = 2 ** 20;
const GI = 2 ** 30;

/** Rounds bytes up to a quantity a person would write: 64Mi steps below 1Gi, 256Mi steps below 4Gi, whole Gi above. */
export function saneMemory(bytes: number): string {
  if (bytes <= 0) return '0';
  if (bytes < GI) return `${Math.ceil(bytes / (64 * MI)) * 64}Mi`;
  if (bytes < 4 * GI) {
    const mebibytes = Math.ceil(bytes / (256 * MI)) * 256;
    return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
  }
  return `${Math.ceil(bytes / GI)}Gi`;
}

/** Rounds cores up to 50m steps below one core and 250m steps above. */
export function saneCpu(cores: number): string {
  if (cores <= 0) return '0';
  const millis = cores * 1000;
  const step = millis < 1000 ? 50 : 250;
  const rounded = Math.ceil(millis / step - 1e-9) * step;
  return rounded % 1000 === 0 ? String(rounded / 1000) : `${rounded}m`;
}
