import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INCIDENT_NAMESPACE,
  incidentPointId,
  QdrantIndex,
  qdrantConfigSchema,
  uuidV5,
} from '../../src/adapters/qdrant/index.js';
import { ErrorCodes } from '../../src/domain/errors.js';
import { type FakeQdrant, startFakeQdrant } from './qdrant-server.js';
import { payload, unit, vectorIndexContract } from './vector-index-contract.js';

const realUrl = process.env['QDRANT_URL'];
const realKey = process.env['QDRANT_API_KEY'];

function config(url: string, collection: string, apiKey?: string) {
  return qdrantConfigSchema.parse({ url, collection, timeoutMs: 5000, ...(apiKey ? { apiKey } : {}) });
}

vectorIndexContract(realUrl ? `Qdrant at ${realUrl}` : 'Qdrant (REST stand-in)', async () => {
  const collection = `medic-test-${randomUUID().slice(0, 8)}`;
  const fake = realUrl ? null : await startFakeQdrant();
  const index = new QdrantIndex(
    config(realUrl ?? fake?.url ?? '', collection, realUrl ? realKey : undefined),
  );
  return {
    index,
    async close() {
      await index.clear();
      await fake?.close();
    },
  };
});

describe('UUIDv5 point ids', () => {
  it('matches RFC 4122 / Python uuid.uuid5 vectors', () => {
    const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const url = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('inc-0412', url)).toBe('a1257338-2ce4-56cb-8d3b-d48168df683c');
  });

  it('derives a stable version-5 id per incident in medic’s namespace', () => {
    const id = incidentPointId('inc-0412');
    expect(id).toBe(uuidV5('inc-0412', INCIDENT_NAMESPACE));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(incidentPointId('inc-0413')).not.toBe(id);
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});

describe('qdrantConfigSchema', () => {
  it('defaults the collection and timeout, and refuses a non-http URL', () => {
    expect(qdrantConfigSchema.parse({ url: 'http://qdrant:6333' })).toEqual({
      url: 'http://qdrant:6333',
      collection: 'medic-incidents',
      timeoutMs: 10_000,
    });
    expect(qdrantConfigSchema.safeParse({ url: 'qdrant:6333' }).success).toBe(false);
    expect(qdrantConfigSchema.safeParse({ url: 'http://q', collection: 'a/b' }).success).toBe(false);
  });
});

describe.skipIf(realUrl)('QdrantIndex against the REST stand-in', () => {
  let fake: FakeQdrant;
  beforeAll(async () => {
    fake = await startFakeQdrant({ apiKey: 'sekret' });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('creates a cosine collection with keyword indexes, sends the api key and UUID point ids', async () => {
    const index = new QdrantIndex(config(fake.url, 'c1', 'sekret'));
    await index.ensure(8);
    await index.ensure(8);
    const c = fake.collections.get('c1');
    expect(c?.size).toBe(8);
    expect(c?.distance).toBe('Cosine');
    expect(Object.fromEntries(c?.indexes ?? [])).toEqual({
      cluster: 'keyword',
      namespace: 'keyword',
      alertname: 'keyword',
      at: 'datetime',
    });
    await index.upsert([{ vector: unit(0), payload: payload('inc-1') }]);
    expect([...(c?.points.keys() ?? [])]).toEqual([incidentPointId('inc-1')]);
    const creates = fake.requests.filter(
      (r) => r.startsWith('PUT /collections/c1?') || r === 'PUT /collections/c1',
    );
    expect(creates).toHaveLength(1);
    expect(fake.requests.filter((r) => r.startsWith('PUT /collections/c1/index'))).toHaveLength(4);
    expect(fake.requests).toContain('PUT /collections/c1/points?wait=true');
  });

  it('turns a wrong api key into a MedicError naming Qdrant’s reason', async () => {
    const index = new QdrantIndex(config(fake.url, 'c2', 'wrong'));
    await expect(index.ensure(8)).rejects.toMatchObject({
      code: ErrorCodes.storage,
      message: expect.stringMatching(/HTTP 401.*API key/),
    });
  });

  it('refuses upsert before ensure, and reads the dimension of an existing collection', async () => {
    const fresh = new QdrantIndex(config(fake.url, 'c3', 'sekret'));
    await expect(fresh.upsert([{ vector: unit(0), payload: payload('x') }])).rejects.toMatchObject({
      code: ErrorCodes.config,
    });
    expect(await fresh.count()).toBe(0);
    expect(await fresh.query(unit(0), 3)).toEqual([]);
    await new QdrantIndex(config(fake.url, 'c3', 'sekret')).ensure(8);
    await fresh.upsert([{ vector: unit(0), payload: payload('x') }]);
    await expect(
      fresh.upsert([{ vector: new Float32Array(4), payload: payload('y') }]),
    ).rejects.toMatchObject({
      code: ErrorCodes.config,
    });
    expect((await fresh.health()).detail).toBe('collection c3, 8-d');
  });
});
