import { Client } from '@elastic/elasticsearch';
import MockModule from '@elastic/elasticsearch-mock';
import { readField } from '../../src/adapters/elasticsearch/source.js';

/** The mock's class: its typings declare an ES default export, the CommonJS module exports the class itself. */
export const Mock = ((MockModule as { default?: unknown }).default ??
  MockModule) as typeof MockModule.default;
export type Mock = InstanceType<typeof Mock>;
export type MockParams = Parameters<Parameters<Mock['add']>[1]>[0];

/** A search request body as the client sends it (the subset the log source uses). */
export interface SearchBody {
  query?: Record<string, unknown>;
  sort?: Array<Record<string, { order?: string }>>;
  size?: number;
  track_total_hits?: boolean;
  _source?: string[];
}

type Doc = Record<string, unknown>;
type Clause = Record<string, Record<string, unknown>>;

function scalar(doc: Doc, field: string): string | number | undefined {
  const value = readField(doc, field);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' || typeof first === 'number' ? first : undefined;
}

function entry(clause: Record<string, unknown>): [string, unknown] {
  const pair = Object.entries(clause)[0];
  if (!pair) throw new Error('empty clause');
  return pair;
}

/** Evaluates the query DSL subset medic sends (bool, range, term, terms, prefix) against one document. */
export function matches(doc: Doc, query: Record<string, unknown>): boolean {
  const [kind, spec] = entry(query);
  const body = spec as Record<string, unknown>;
  switch (kind) {
    case 'bool': {
      const list = (key: string) => (body[key] as Clause[] | undefined) ?? [];
      const should = list('should');
      return (
        list('filter').every((q) => matches(doc, q)) &&
        list('must').every((q) => matches(doc, q)) &&
        !list('must_not').some((q) => matches(doc, q)) &&
        (should.length === 0 || should.some((q) => matches(doc, q)))
      );
    }
    case 'range': {
      const [field, bounds] = entry(body);
      const value = Date.parse(String(scalar(doc, field)));
      const { gte, lte } = bounds as { gte?: string; lte?: string };
      return (
        (gte === undefined || value >= Date.parse(gte)) && (lte === undefined || value <= Date.parse(lte))
      );
    }
    case 'term': {
      const [field, raw] = entry(body);
      const { value, case_insensitive } =
        typeof raw === 'object' && raw !== null
          ? (raw as { value: unknown; case_insensitive?: boolean })
          : { value: raw };
      const actual = scalar(doc, field);
      if (case_insensitive) return String(actual).toLowerCase() === String(value).toLowerCase();
      return actual === value;
    }
    case 'terms': {
      const [field, values] = entry(body);
      return (values as unknown[]).includes(scalar(doc, field));
    }
    case 'prefix': {
      const [field, value] = entry(body);
      const actual = scalar(doc, field);
      return typeof actual === 'string' && actual.startsWith(String(value));
    }
    default:
      throw new Error(`fake Elasticsearch does not support ${kind}`);
  }
}

/** What Elasticsearch answers for `body` over `docs` (hits.total as {value, relation}). */
export function searchAnswer(docs: readonly Doc[], body: SearchBody): Record<string, unknown> {
  const hits = docs.filter((doc) => (body.query ? matches(doc, body.query) : true));
  const sortField = Object.keys(body.sort?.[0] ?? {})[0];
  if (sortField) {
    hits.sort((a, b) => Date.parse(String(scalar(b, sortField))) - Date.parse(String(scalar(a, sortField))));
  }
  const page = hits.slice(0, body.size ?? 10);
  return {
    took: 1,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: hits.length, relation: 'eq' },
      max_score: null,
      hits: page.map((doc, i) => ({
        _index: 'logs-fake',
        _id: String(i),
        _score: null,
        _source: doc,
        sort: [0],
      })),
    },
  };
}

/** A client whose searches run against `docs`; `requests` records every search body. */
export function fakeElasticsearch(docs: readonly Doc[]): {
  client: Client;
  mock: Mock;
  requests: SearchBody[];
} {
  const mock = new Mock();
  const requests: SearchBody[] = [];
  mock.add({ method: 'POST', path: '/:index/_search' }, (params: MockParams) => {
    const body = params.body as SearchBody;
    requests.push(body);
    return searchAnswer(docs, body);
  });
  const client = new Client({ node: 'http://elasticsearch.test:9200', Connection: mock.getConnection() });
  return { client, mock, requests };
}
