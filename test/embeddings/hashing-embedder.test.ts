import { describe, expect, it } from 'vitest';
import { cosine, fnv1a32, HashingEmbedder } from '../../src/domain/memory/hashing-embedder.js';
import { signatureText } from '../../src/domain/memory/signature.js';
import type { Embedder } from '../../src/ports/embedder.js';
import { cases } from './incidents.js';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('HashingEmbedder', () => {
  const embedder: Embedder & HashingEmbedder = new HashingEmbedder();

  it('defaults to 512 dimensions and names itself by version and dimension', () => {
    expect(embedder.dimension).toBe(512);
    expect(embedder.id).toBe('hashing-v1-512');
    const small = new HashingEmbedder({ dimension: 64 });
    expect(small.id).toBe('hashing-v1-64');
    expect(() => new HashingEmbedder({ dimension: 1 })).toThrow(RangeError);
    expect(() => new HashingEmbedder({ dimension: 10.5 })).toThrow(RangeError);
  });

  it('is deterministic across calls and instances', async () => {
    const text = 'alert: KubePodOOMKilled\nsignals: memory_working_set_bytes near limit';
    const [a] = await embedder.embed([text]);
    const [b] = await new HashingEmbedder().embed([text]);
    expect(a).toEqual(b);
    expect(Array.from(a ?? [])).toEqual(Array.from(embedder.embedOne(text)));
  });

  it('returns unit vectors of the configured dimension, one per text in order', async () => {
    const texts = ['OOMKilled checkout', 'CrashLoopBackOff after deploy', 'x'];
    for (const dimension of [8, 384, 512, 1000]) {
      const vectors = await new HashingEmbedder({ dimension }).embed(texts);
      expect(vectors).toHaveLength(3);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v).toHaveLength(dimension);
        expect(norm(v)).toBeCloseTo(1, 5);
      }
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  it('gives a zero vector for text without words', () => {
    expect(norm(embedder.embedOne('  -- ;; '))).toBe(0);
    expect(cosine(embedder.embedOne(''), embedder.embedOne('oom'))).toBe(0);
  });

  it('scores the same text 1 and unrelated texts near 0', () => {
    const a = embedder.embedOne('memory working set near limit OOMKilled');
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    const b = embedder.embedOne('certificate expiry ingress tls handshake');
    expect(Math.abs(cosine(a, b))).toBeLessThan(0.2);
  });

  it('is robust to the volatile tokens the signature drops', () => {
    const a = signatureText({
      alertnames: ['KubePodOOMKilled'],
      labels: { namespace: 'shop', pod: 'cart-7d9f8b6c5d-x2k9p', instance: '10.0.0.7:8080' },
      logTemplates: ['killed process 4242 (java) uid 1000 at 0xdeadbeef12'],
    });
    const b = signatureText({
      alertnames: ['KubePodOOMKilled'],
      labels: { namespace: 'shop', pod: 'cart-5b4c7d2f8f-bxkzp', instance: '10.0.9.99:9090' },
      logTemplates: ['killed process 17 (java) uid 1000 at 0xfeedface99'],
    });
    expect(a).toBe(b);
    expect(cosine(embedder.embedOne(a), embedder.embedOne(b))).toBeCloseTo(1, 6);
  });

  describe.each(cases)('$name', ({ query, match, distractor }) => {
    it('scores the same failure mode above a distractor sharing service words', async () => {
      const [q, m, d] = await embedder.embed([query, match, distractor].map(signatureText));
      if (!q || !m || !d) throw new Error('missing vectors');
      const toMatch = cosine(q, m);
      const toDistractor = cosine(q, d);
      expect(toMatch).toBeGreaterThan(toDistractor);
      expect(toMatch - toDistractor).toBeGreaterThan(0.05);
    });
  });
});
