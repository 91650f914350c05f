/**
 * Feature-hashing embedder: no model, deterministic, pure. The default embedder of a single machine.
 *
 * Features of the (lower-cased) text: word unigrams, word bigrams, and character 3–5-grams of each
 * word framed as `<word>`. Each feature is hashed (FNV-1a 32-bit, then murmur3's fmix32 finaliser
 * for avalanche) to a bucket and a sign (the signed hashing trick of Weinberger et al. 2009, so
 * collisions cancel in expectation), weighted by sublinear tf (1 + ln tf) times its kind's weight,
 * and the vector is L2-normalised. Cosine similarity is then the dot product.
 */
// Satisfies the Embedder port (src/ports/embedder.ts) structurally: the domain may not import ports.

export interface HashingEmbedderOptions {
  /** Vector length. Default 512. */
  dimension?: number;
}

/** Relative weight of each feature kind; char n-grams are many per word, so each counts less. */
const WEIGHTS = { word: 1, bigram: 1, char: 0.35 } as const;
const CHAR_MIN = 3;
const CHAR_MAX = 5;
const VERSION = 'v1';

const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes, 32-bit unsigned. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits over the whole word. */
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Feature → raw count, features prefixed by kind so a word and a char gram never share a key. */
export function features(text: string): Map<string, { kind: keyof typeof WEIGHTS; count: number }> {
  const out = new Map<string, { kind: keyof typeof WEIGHTS; count: number }>();
  const bump = (key: string, kind: keyof typeof WEIGHTS) => {
    const entry = out.get(key);
    if (entry) entry.count += 1;
    else out.set(key, { kind, count: 1 });
  };
  const tokens = words(text);
  tokens.forEach((word, i) => {
    bump(`w:${word}`, 'word');
    const next = tokens[i + 1];
    if (next !== undefined) bump(`b:${word} ${next}`, 'bigram');
    const framed = `<${word}>`;
    const chars = [...framed];
    for (let n = CHAR_MIN; n <= CHAR_MAX; n += 1) {
      for (let start = 0; start + n <= chars.length; start += 1) {
        // A word short enough to be one gram is already a unigram feature.
        if (n === chars.length) continue;
        bump(`c:${chars.slice(start, start + n).join('')}`, 'char');
      }
    }
  });
  return out;
}

export class HashingEmbedder {
  readonly id: string;
  readonly dimension: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimension = options.dimension ?? 512;
    if (!Number.isInteger(dimension) || dimension < 2) {
      throw new RangeError(`dimension must be an integer ≥ 2, got ${dimension}`);
    }
    this.dimension = dimension;
    this.id = `hashing-${VERSION}-${dimension}`;
  }

  /** One text's vector; all zeros for a text with no words (it cannot be normalised). */
  embedOne(text: string): Float32Array {
    const acc = new Float64Array(this.dimension);
    for (const [key, { kind, count }] of features(text)) {
      const h = fmix32(fnv1a32(key));
      const bucket = h % this.dimension;
      // The bucket uses the low bits (mod); the sign takes the top bit, independent for dimension < 2^31.
      const sign = h >>> 31 === 1 ? -1 : 1;
      acc[bucket] = (acc[bucket] ?? 0) + sign * WEIGHTS[kind] * (1 + Math.log(count));
    }
    let norm = 0;
    for (const v of acc) norm += v * v;
    norm = Math.sqrt(norm);
    const out = new Float32Array(this.dimension);
    if (norm === 0) return out;
    for (let i = 0; i < acc.length; i += 1) out[i] = (acc[i] ?? 0) / norm;
    return out;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }
}

/** Cosine similarity (the dot product when both vectors are L2-normalised); 0 when either is all zeros. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`dimension mismatch: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
