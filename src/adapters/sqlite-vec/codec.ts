import { ErrorCodes, MedicError } from '../../domain/errors.js';

/** The float32 bytes of a vector, as sqlite-vec reads them (a view: no copy). */
export function blob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** `at` as a UTC ISO string, so that text order is time order whatever offset it was written with. */
export function sortableAt(at: string): string {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString();
}

/** Bits of the sign code: the dimension rounded up to whole bytes. */
export function codeBits(dimension: number): number {
  return Math.ceil(dimension / 8) * 8;
}

/** 1-bit quantisation: bit i is set when component i is positive (the binary code's Hamming distance tracks angle). */
export function signCode(vector: Float32Array): Buffer {
  const code = Buffer.alloc(codeBits(vector.length) / 8);
  for (let i = 0; i < vector.length; i++) {
    if ((vector[i] ?? 0) > 0) code.writeUInt8(code.readUInt8(i >> 3) | (1 << (i & 7)), i >> 3);
  }
  return code;
}

export function checkVector(vector: Float32Array, dimension: number, what: string): void {
  if (vector.length !== dimension) {
    throw new MedicError(
      ErrorCodes.config,
      `Vector for ${what} has ${vector.length} dimensions but the index holds ${dimension}: the embedder changed; clear the index and re-index.`,
      { expected: dimension, got: vector.length },
    );
  }
}

export function mismatch(have: number, want: number): MedicError {
  return new MedicError(
    ErrorCodes.config,
    `The similar-incident index holds ${have}-dimensional vectors but the embedder produces ${want}. ` +
      'Clear the index and re-index past incidents with the new embedder, or configure the previous one.',
    { expected: have, got: want },
  );
}

export function notEnsured(): MedicError {
  return new MedicError(
    ErrorCodes.config,
    'The similar-incident index has no vector table yet: call ensure(dimension) first.',
  );
}
