import { randomBytes } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { elasticsearchConfigSchema } from '../../src/adapters/elasticsearch/config.js';
import { ElasticsearchLogSource, readField } from '../../src/adapters/elasticsearch/source.js';
import { isMedicError } from '../../src/domain/errors.js';
import { fakeElasticsearch, Mock, type MockParams, type SearchBody } from './fake.js';
import { contractDocs, contractNow, logSourceContract } from './log-source-contract.js';

const node = 'http://elasticsearch.test:9200';
const window = { start: new Date('2026-11-25T11:00:00.000Z'), end: contractNow };

logSourceContract('Elasticsearch (mock)', async (docs) => {
  const { client } = fakeElasticsearch(docs);
  const source = new ElasticsearchLogSource({ url: node }, client);
  return { source, close: () => source.close() };
});

const realUrl = process.env['ELASTICSEARCH_URL'];
logSourceContract(
  'Elasticsearch (real, ELASTICSEARCH_URL)',
  async (docs) => {
    const url = realUrl ?? '';
    const apiKey = process.env['ELASTICSEARCH_API_KEY'];
    const admin = new Client({ node: url, ...(apiKey ? { auth: { apiKey } } : {}) });
    // Not logs-*-*: that pattern belongs to the built-in data stream template.
    const index = `medic-contract-logs-${randomBytes(4).toString('hex')}`;
    const keyword = { type: 'keyword' } as const;
    await admin.indices.create({
      index,
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'text' },
          log: { properties: { level: keyword } },
          service: { properties: { name: keyword } },
          kubernetes: {
            properties: {
              namespace: keyword,
              pod: { properties: { name: keyword } },
              container: { properties: { name: keyword } },
            },
          },
        },
      },
    });
    await admin.bulk({
      refresh: true,
      operations: docs.flatMap((doc) => [{ index: { _index: index } }, doc]),
    });
    const source = new ElasticsearchLogSource({ url, index, ...(apiKey ? { apiKey } : {}) });
    await source.ping();
    return {
      source,
      close: async () => {
        await source.close();
        await admin.indices.delete({ index, ignore_unavailable: true });
        await admin.close();
      },
    };
  },
  realUrl ? undefined : 'ELASTICSEARCH_URL is not set',
);

describe('Elasticsearch LogSource', () => {
  it('sends a bool filter query with range, namespace, pods, container, sort, size and track_total_hits', async () => {
    const { client, requests } = fakeElasticsearch([]);
    const source = new ElasticsearchLogSource({ url: node }, client);
    await source.search({ ...window, namespace: 'shop', pods: ['a-1', 'a-2'], container: 'app', limit: 50 });
    expect(requests).toHaveLength(2);
    const [errorsFirst, rest] = requests as [SearchBody, SearchBody];
    const filter = [
      {
        range: {
          '@timestamp': {
            gte: '2026-11-25T11:00:00.000Z',
            lte: '2026-11-25T12:00:00.000Z',
            format: 'strict_date_optional_time',
          },
        },
      },
      { term: { 'kubernetes.namespace': 'shop' } },
      { terms: { 'kubernetes.pod.name': ['a-1', 'a-2'] } },
      { term: { 'kubernetes.container.name': 'app' } },
    ];
    const levelMatch = {
      bool: {
        should: ['error', 'fatal', 'critical', 'panic', 'emerg'].map((value) => ({
          term: { 'log.level': { value, case_insensitive: true } },
        })),
        minimum_should_match: 1,
      },
    };
    expect(errorsFirst.query).toEqual({ bool: { filter: [...filter, levelMatch] } });
    expect(rest.query).toEqual({ bool: { filter, must_not: [levelMatch] } });
    for (const body of requests) {
      expect(body.size).toBe(50);
      expect(body.track_total_hits).toBe(true);
      expect(body.sort).toEqual([{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }]);
    }
  });

  it('uses a prefix query for a workload, configured field names and index, and bounds size', async () => {
    const mock = new Mock();
    const seen: Array<{ path: string; body: SearchBody }> = [];
    mock.add({ method: 'POST', path: '/:index/_search' }, (params: MockParams) => {
      seen.push({ path: String(params.path), body: params.body as SearchBody });
      return { hits: { total: 0, hits: [] } };
    });
    const client = new Client({ node, Connection: mock.getConnection() });
    const source = new ElasticsearchLogSource(
      { url: node, index: 'k8s-logs', fields: { timestamp: 'ts', pod: 'pod_name', level: 'severity' } },
      client,
    );
    await source.search({ ...window, podPrefix: 'checkout-', levels: ['warn'], limit: 1_000_000 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe('/k8s-logs/_search');
    const body = seen[0]?.body;
    expect(body?.size).toBe(10_000);
    expect(body?.sort).toEqual([{ ts: { order: 'desc', unmapped_type: 'date' } }]);
    expect(JSON.stringify(body?.query)).toContain('{"prefix":{"pod_name":"checkout-"}}');
    expect(JSON.stringify(body?.query)).toContain(
      '{"term":{"severity":{"value":"warn","case_insensitive":true}}}',
    );
  });

  it('parses hits.total as a number and as {value}, and puts error lines first', async () => {
    const mock = new Mock();
    mock.add({ method: 'POST', path: '/:index/_search' }, (params: MockParams) => {
      const isErrors = !JSON.stringify((params.body as SearchBody).query).includes('must_not');
      return isErrors
        ? {
            hits: {
              total: 7,
              hits: [
                { _source: { '@timestamp': 1_764_072_000_000, message: 'boom', log: { level: 'ERROR' } } },
              ],
            },
          }
        : {
            hits: {
              total: { value: 40, relation: 'eq' },
              hits: [{ _source: { '@timestamp': '2026-11-25T11:59:00Z', message: 'fine' } }],
            },
          };
    });
    const source = new ElasticsearchLogSource(
      { url: node },
      new Client({ node, Connection: mock.getConnection() }),
    );
    const result = await source.search({ ...window, limit: 10 });
    expect(result.total).toBe(47);
    expect(result.lines.map((line) => [line.message, line.level])).toEqual([
      ['boom', 'error'],
      ['fine', null],
    ]);
    expect(result.lines[0]?.timestamp).toBe(new Date(1_764_072_000_000).toISOString());
  });

  it('rejects with a clear error when Elasticsearch answers 500, garbage or a 400', async () => {
    const answers: Array<[unknown, RegExp]> = [
      [
        new errors.ResponseError({
          body: { error: { root_cause: [{ reason: 'all shards failed' }] }, status: 500 },
          statusCode: 500,
          headers: {},
          warnings: null,
          meta: {} as never,
        }),
        /answered the log search \(error lines\) with HTTP 500: all shards failed/,
      ],
      ['<html>bad gateway</html>', /is not a search response/],
      [{ took: 1, hits: 'nope' }, /is not a search response/],
      [
        new errors.ResponseError({
          body: { error: { reason: 'No mapping found for [ts] in order to sort on' }, status: 400 },
          statusCode: 400,
          headers: {},
          warnings: null,
          meta: {} as never,
        }),
        /rejected the log search .*No mapping found/,
      ],
    ];
    for (const [answer, message] of answers) {
      const mock = new Mock();
      mock.add({ method: 'POST', path: '/:index/_search' }, () => answer as Record<string, unknown>);
      const source = new ElasticsearchLogSource(
        { url: node },
        new Client({ node, Connection: mock.getConnection() }),
      );
      const failure = await source.search({ ...window, limit: 5 }).catch((error: unknown) => error);
      expect(isMedicError(failure)).toBe(true);
      expect((failure as Error).message).toMatch(message);
      expect((failure as Error).message).toContain('Elasticsearch at http://elasticsearch.test:9200');
    }
  });

  it('rejects a connection failure as unavailable (no server on the port)', async () => {
    const source = new ElasticsearchLogSource({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const failure = await source.search({ ...window, limit: 5 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'ElasticsearchUnavailableError',
      code: 'MEDIC_E_UPSTREAM_UNAVAILABLE',
    });
    expect((failure as Error).message).toMatch(/is unreachable/);
    await source.close();
  });

  it('ping accepts 8.x and refuses other majors', async () => {
    for (const [number, ok] of [
      ['8.19.2', true],
      ['7.17.0', false],
    ] as const) {
      const mock = new Mock();
      mock.add({ method: 'GET', path: '/' }, () => ({ name: 'n', cluster_name: 'c', version: { number } }));
      const source = new ElasticsearchLogSource(
        { url: node },
        new Client({ node, Connection: mock.getConnection() }),
      );
      if (ok) await expect(source.ping()).resolves.toBeUndefined();
      else await expect(source.ping()).rejects.toThrow(/runs 7\.17\.0; medic supports Elasticsearch 8\.x/);
    }
  });

  it('validates its config with defaults and names the bad key', () => {
    const config = elasticsearchConfigSchema.parse({ url: node });
    expect(config).toMatchObject({ index: 'logs-*,filebeat-*', timeoutMs: 10_000 });
    expect(config.fields).toEqual({
      timestamp: '@timestamp',
      message: 'message',
      level: 'log.level',
      namespace: 'kubernetes.namespace',
      pod: 'kubernetes.pod.name',
      container: 'kubernetes.container.name',
      service: 'service.name',
    });
    expect(() => new ElasticsearchLogSource({ url: 'ftp://x' })).toThrow(/^elasticsearch\.url:/);
    expect(() => new ElasticsearchLogSource({ url: node, timeoutMs: -1 })).toThrow(
      /elasticsearch\.timeoutMs/,
    );
  });

  it('reads dotted, nested and mixed field paths', () => {
    expect(readField({ a: { b: { c: 1 } } }, 'a.b.c')).toBe(1);
    expect(readField({ 'a.b.c': 2 }, 'a.b.c')).toBe(2);
    expect(readField({ a: { 'b.c': 3 } }, 'a.b.c')).toBe(3);
    expect(readField({ 'a.b': { c: 4 } }, 'a.b.c')).toBe(4);
    expect(readField({ a: [{ b: 5 }] }, 'a.b')).toBe(5);
    expect(readField({ a: 1 }, 'a.b')).toBeUndefined();
    expect(contractDocs.length).toBeGreaterThan(0);
  });
});
