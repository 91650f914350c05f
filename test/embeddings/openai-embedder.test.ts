import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingDimensionError } from '../../src/adapters/embeddings/langchain-embedder.js';
import {
  createOpenAiEmbedder,
  openAiEmbedderConfigSchema,
  openAiEmbedderId,
} from '../../src/adapters/embeddings/openai.js';
import { type FakeOpenAiServer, startFakeOpenAi } from './fake-openai-server.js';

describe('OpenAI-compatible embedder (real OpenAIEmbeddings against a local test server)', () => {
  let server: FakeOpenAiServer;
  beforeAll(async () => {
    server = await startFakeOpenAi(16);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('validates its config and names itself by model and host', () => {
    const parsed = openAiEmbedderConfigSchema.parse({ model: 'text-embedding-3-small' });
    expect(parsed).toMatchObject({ baseURL: 'https://api.openai.com/v1', batchSize: 64, maxRetries: 3 });
    expect(() => openAiEmbedderConfigSchema.parse({ model: 'm', baseURL: 'ftp://x' })).toThrow();
    expect(() => openAiEmbedderConfigSchema.parse({ model: 'm', batchsize: 3 })).toThrow();
    expect(openAiEmbedderId('nomic-embed-text', 'http://gpu-1.internal:8000/v1')).toBe(
      'openai:nomic-embed-text@gpu-1.internal:8000',
    );
  });

  it('sends model and input in batches, and returns Float32Arrays in input order', async () => {
    const embedder = createOpenAiEmbedder({
      model: 'test-embed',
      baseURL: server.baseURL,
      apiKey: 'sk-test',
      batchSize: 2,
      maxConcurrency: 1,
    });
    expect(embedder.id).toBe(`openai:test-embed@${new URL(server.baseURL).host}`);
    expect(embedder.dimension).toBe(0);
    const texts = ['oom killed', 'crash loop\nafter deploy', 'hpa at max', 'node not ready', 'disk pressure'];
    const vectors = await embedder.embed(texts);

    expect(embedder.dimension).toBe(16);
    expect(vectors).toHaveLength(5);
    vectors.forEach((vector, i) => {
      expect(vector).toBeInstanceOf(Float32Array);
      // OpenAIEmbeddings strips newlines before sending.
      const sent = (texts[i] ?? '').replace(/\n/g, ' ');
      const expected = server.vectorOf(sent);
      expected.forEach((value, j) => {
        expect(vector[j]).toBeCloseTo(value, 6);
      });
    });

    expect(server.requests.map((r) => r.body.input)).toEqual([
      ['oom killed', 'crash loop after deploy'],
      ['hpa at max', 'node not ready'],
      ['disk pressure'],
    ]);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/embeddings');
      expect(request.headers.authorization).toBe('Bearer sk-test');
      expect(request.headers['content-type']).toContain('application/json');
      expect(request.body.model).toBe('test-embed');
      // The openai SDK asks for base64 when no format is set and decodes it; servers must support it.
      expect(request.body.encoding_format).toBe('base64');
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  it('discovers the dimension with a probe', async () => {
    const embedder = createOpenAiEmbedder({ model: 'm', baseURL: server.baseURL });
    expect(await embedder.probe()).toBe(16);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer not-needed');
  });

  it('retries a 429 and then succeeds', async () => {
    const embedder = createOpenAiEmbedder({ model: 'm', baseURL: server.baseURL, maxRetries: 2 });
    server.rateLimitNext(1);
    const [vector] = await embedder.embed(['restarts rising']);
    expect(server.requests).toHaveLength(2);
    expect(vector).toHaveLength(16);
  });

  it('gives up after maxRetries 429s', async () => {
    const embedder = createOpenAiEmbedder({ model: 'm', baseURL: server.baseURL, maxRetries: 0 });
    server.rateLimitNext(1);
    await expect(embedder.embed(['x'])).rejects.toThrow(/429|rate limit/i);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects vectors that do not have the configured dimension', async () => {
    const embedder = createOpenAiEmbedder({ model: 'm', baseURL: server.baseURL, dimension: 384 });
    expect(embedder.dimension).toBe(384);
    await expect(embedder.embed(['x'])).rejects.toBeInstanceOf(EmbeddingDimensionError);
  });
});
