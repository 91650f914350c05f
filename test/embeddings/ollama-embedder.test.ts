import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaEmbedder } from '../../src/adapters/embeddings/ollama.js';
import { HashingEmbedder } from '../../src/domain/memory/hashing-embedder.js';

const hashing = new HashingEmbedder({ dimension: 8 });
const requests: { url: string; body: { model?: unknown; input?: unknown } }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: unknown; input?: unknown };
    requests.push({ url: req.url ?? '', body });
    const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ model: body.model, embeddings: input.map((t) => Array.from(hashing.embedOne(t))) }),
    );
  });
});

describe('Ollama embedder (real OllamaEmbeddings against a local /api/embed server)', () => {
  let baseUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('splits texts into batches and returns vectors in order', async () => {
    const embedder = createOllamaEmbedder({ model: 'nomic-embed-text', baseUrl, batchSize: 2 });
    expect(embedder.id).toBe(`ollama:nomic-embed-text@${new URL(baseUrl).host}`);
    const texts = ['oom', 'crash loop', 'hpa at max'];
    const vectors = await embedder.embed(texts);
    expect(embedder.dimension).toBe(8);
    expect(vectors.map((v) => Array.from(v))).toEqual(texts.map((t) => Array.from(hashing.embedOne(t))));
    expect(requests.map((r) => [r.url, r.body.model, r.body.input])).toEqual([
      ['/api/embed', 'nomic-embed-text', ['oom', 'crash loop']],
      ['/api/embed', 'nomic-embed-text', ['hpa at max']],
    ]);
  });
});
