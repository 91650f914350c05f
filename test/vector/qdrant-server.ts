/**
 * A stand-in for Qdrant's REST API, covering exactly the calls QdrantIndex makes through
 * @qdrant/js-client-rest, with Qdrant's envelopes: 200 `{result, status: 'ok', time}`, errors
 * `{status: {error}, time}`. Scores are real cosine similarities (vectors are normalised on insert,
 * as Qdrant does for Cosine) and filters (`must`/`should`/`must_not` of `{key, match: {value}}`) are
 * evaluated for real.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Point {
  id: string;
  vector: number[];
  payload: Record<string, unknown>;
  version: number;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  indexes: Map<string, string>;
}
interface Condition {
  key?: string;
  match?: { value?: unknown };
}
interface Filter {
  must?: Condition[];
  should?: Condition[];
  must_not?: Condition[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FakeQdrant {
  url: string;
  /** `METHOD /path?query` of every request, in order. */
  requests: string[];
  collections: Map<string, Collection>;
  close(): Promise<void>;
}

export async function startFakeQdrant(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>();
  const requests: string[] = [];
  let operation = 0;

  const normalise = (v: number[]): number[] => {
    const norm = Math.hypot(...v);
    return norm === 0 ? v : v.map((x) => x / norm);
  };
  const matches = (point: Point, filter: Filter | undefined): boolean => {
    if (!filter) return true;
    const test = (c: Condition): boolean => {
      if (typeof c.key !== 'string' || !c.match || !('value' in c.match)) {
        throw new HttpError(400, 'Format error in JSON body: unsupported condition in this stand-in');
      }
      return point.payload[c.key] === c.match.value;
    };
    return (
      (filter.must ?? []).every(test) &&
      (filter.should === undefined || filter.should.length === 0 || filter.should.some(test)) &&
      !(filter.must_not ?? []).some(test)
    );
  };
  const collection = (name: string): Collection => {
    const found = collections.get(name);
    if (!found) throw new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return found;
  };
  const updated = () => ({ operation_id: operation++, status: 'completed' });

  function route(method: string, path: string[], body: Record<string, unknown>): unknown {
    if (method === 'GET' && path.length === 0) {
      return { title: 'qdrant - vector search engine', version: '1.18.0', commit: 'stand-in' };
    }
    const [root, name, sub, action] = path;
    if (root !== 'collections' || name === undefined) throw new HttpError(404, 'Not found');
    if (sub === undefined) {
      if (method === 'GET') {
        const c = collection(name);
        return {
          status: 'green',
          optimizer_status: 'ok',
          indexed_vectors_count: 0,
          points_count: c.points.size,
          segments_count: 1,
          config: {
            params: {
              vectors: { size: c.size, distance: c.distance },
              shard_number: 1,
              replication_factor: 1,
            },
            hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
            optimizer_config: {},
          },
          payload_schema: Object.fromEntries(
            [...c.indexes].map(([field, type]) => [field, { data_type: type, points: c.points.size }]),
          ),
        };
      }
      if (method === 'PUT') {
        if (collections.has(name))
          throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = body['vectors'] as { size?: unknown; distance?: unknown } | undefined;
        if (typeof vectors?.size !== 'number' || typeof vectors.distance !== 'string') {
          throw new HttpError(400, 'Format error in JSON body: missing field `vectors`');
        }
        collections.set(name, {
          size: vectors.size,
          distance: vectors.distance,
          points: new Map(),
          indexes: new Map(),
        });
        return true;
      }
      if (method === 'DELETE') return collections.delete(name);
    }
    if (sub === 'exists' && method === 'GET') return { exists: collections.has(name) };
    const c = collection(name);
    if (sub === 'index' && method === 'PUT') {
      const { field_name: field, field_schema: schema } = body;
      if (typeof field !== 'string' || typeof schema !== 'string')
        throw new HttpError(400, 'Bad index request');
      c.indexes.set(field, schema);
      return updated();
    }
    if (sub !== 'points') throw new HttpError(404, 'Not found');
    if (action === undefined && method === 'PUT') {
      const points = body['points'] as Array<{ id: unknown; vector: unknown; payload?: unknown }> | undefined;
      if (!Array.isArray(points))
        throw new HttpError(400, 'Format error in JSON body: missing field `points`');
      for (const p of points) {
        if (typeof p.id !== 'string' || !UUID.test(p.id)) {
          throw new HttpError(
            400,
            `Format error in JSON body: value ${String(p.id)} is not a valid point ID`,
          );
        }
        if (!Array.isArray(p.vector) || p.vector.length !== c.size) {
          const got = Array.isArray(p.vector) ? p.vector.length : 0;
          throw new HttpError(
            400,
            `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${got}`,
          );
        }
      }
      for (const p of points) {
        const vector = p.vector as number[];
        c.points.set(p.id as string, {
          id: p.id as string,
          vector: c.distance === 'Cosine' ? normalise(vector) : vector,
          payload: (p.payload ?? {}) as Record<string, unknown>,
          version: operation,
        });
      }
      return updated();
    }
    if (method !== 'POST') throw new HttpError(404, 'Not found');
    const filter = body['filter'] as Filter | undefined;
    if (action === 'query') {
      const query = body['query'];
      if (!Array.isArray(query) || query.length !== c.size) {
        throw new HttpError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${Array.isArray(query) ? query.length : 0}`,
        );
      }
      const q = normalise(query as number[]);
      const limit = typeof body['limit'] === 'number' ? body['limit'] : 10;
      const withPayload = body['with_payload'] === true;
      const scored = [...c.points.values()]
        .filter((p) => matches(p, filter))
        .map((p) => ({ p, score: p.vector.reduce((sum, x, i) => sum + x * (q[i] ?? 0), 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
      return {
        points: scored.map(({ p, score }) => ({
          id: p.id,
          version: p.version,
          score,
          ...(withPayload ? { payload: p.payload } : {}),
        })),
      };
    }
    if (action === 'scroll') {
      const limit = typeof body['limit'] === 'number' ? body['limit'] : 10;
      const withPayload = body['with_payload'] !== false;
      const orderBy = body['order_by'] as { key?: unknown; direction?: unknown } | string | undefined;
      const key = typeof orderBy === 'string' ? orderBy : orderBy?.key;
      let points = [...c.points.values()].filter((p) => matches(p, filter));
      let orderValue: ((p: Point) => number) | null = null;
      if (typeof key === 'string') {
        const type = c.indexes.get(key);
        if (type !== 'datetime' && type !== 'integer' && type !== 'float') {
          throw new HttpError(
            400,
            `Bad request: No range index for \`order_by\` key: \`${key}\`. Please create one to use \`order_by\`.`,
          );
        }
        const value = (p: Point) =>
          type === 'datetime' ? Date.parse(String(p.payload[key])) : Number(p.payload[key]);
        orderValue = value;
        const sign = typeof orderBy === 'object' && orderBy.direction === 'desc' ? -1 : 1;
        points = points.filter((p) => !Number.isNaN(value(p))).sort((a, b) => sign * (value(a) - value(b)));
      } else {
        points.sort((a, b) => a.id.localeCompare(b.id));
      }
      const page = points.slice(0, limit);
      return {
        points: page.map((p) => ({
          id: p.id,
          ...(withPayload ? { payload: p.payload } : {}),
          ...(orderValue ? { order_value: orderValue(p) } : {}),
        })),
        next_page_offset: orderValue || points.length <= limit ? null : (points[limit]?.id ?? null),
      };
    }
    if (action === 'count') return { count: [...c.points.values()].filter((p) => matches(p, filter)).length };
    if (action === 'delete') {
      const ids = body['points'];
      if (Array.isArray(ids)) for (const id of ids) c.points.delete(String(id));
      else for (const p of [...c.points.values()]) if (matches(p, filter)) c.points.delete(p.id);
      return updated();
    }
    throw new HttpError(404, 'Not found');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const time = () => Number(process.hrtime.bigint() - started) / 1e9;
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    try {
      if (options.apiKey !== undefined && req.headers['api-key'] !== options.apiKey) {
        throw new HttpError(401, 'Must provide an API key or an Authorization bearer token');
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const result = route(req.method ?? 'GET', path, body);
      if (path.length === 0) send(200, result);
      else send(200, { result, status: 'ok', time: time() });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      send(status, { status: { error: (error as Error).message }, time: time() });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    collections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
