import Fastify, { type FastifyInstance } from 'fastify';
import { type FixtureSpan, type TraceSet, toJaeger, toOtlp } from './fixture.js';

export interface FakeBackend {
  url: string;
  /** Query strings of every request, by path. */
  requests: Array<{ path: string; query: Record<string, string> }>;
  /** Answer the next requests to `path` with this status and body instead. */
  override(path: string, status: number, body: string): void;
  close(): Promise<void>;
}

const isError = (s: FixtureSpan) => s.statusError;

async function serve(
  register: (app: FastifyInstance, requests: FakeBackend['requests']) => void,
): Promise<FakeBackend> {
  const app = Fastify();
  const requests: FakeBackend['requests'] = [];
  const overrides = new Map<string, { status: number; body: string }>();
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    requests.push({ path, query: { ...(request.query as Record<string, string>) } });
    const override = overrides.get(path);
    if (override) return reply.code(override.status).type('text/plain').send(override.body);
    return undefined;
  });
  register(app, requests);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    requests,
    override: (path, status, body) => overrides.set(path, { status, body }),
    close: () => app.close(),
  };
}

/**
 * Tempo 2.x: `/api/search` (TraceQL subset: service name `=`/`=~`, `status = error`, `duration > Nms`,
 * all on one span as TraceQL means) and `/api/traces/<id>` answering `{batches}` with base64 ids.
 */
export function startFakeTempo(set: TraceSet): Promise<FakeBackend> {
  return serve((app) => {
    app.get('/api/search', async (request) => {
      const { q = '', start, end, limit } = request.query as Record<string, string>;
      const names = /resource\.service\.name =~? "([^"]*)"/.exec(q)?.[1]?.split('|');
      const minMs = Number(/duration > (\d+)ms/.exec(q)?.[1] ?? -1);
      const from = Number(start) * 1000;
      const to = Number(end) * 1000;
      const hits = set.spans.filter(
        (s) =>
          (names === undefined || names.includes(s.service)) &&
          (!q.includes('status = error') || isError(s)) &&
          s.durationMs > minMs &&
          set.base.getTime() + s.offsetMs >= from &&
          set.base.getTime() + s.offsetMs <= to,
      );
      const ids = [...new Set(hits.map((s) => s.traceId))].slice(0, Number(limit ?? 20));
      return {
        traces: ids.map((traceID) => {
          const root = set.spans.find((s) => s.traceId === traceID && s.parentSpanId === null);
          return {
            traceID,
            rootServiceName: root?.service ?? '<root span not yet received>',
            rootTraceName: root?.name ?? '',
            startTimeUnixNano: String(BigInt(set.base.getTime() + (root?.offsetMs ?? 0)) * 1_000_000n),
            durationMs: root?.durationMs ?? 0,
          };
        }),
        metrics: { inspectedBytes: '1024', completedJobs: 1, totalJobs: 1 },
      };
    });
    app.get('/api/traces/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!set.spans.some((s) => s.traceId === id)) return reply.code(404).send('trace not found');
      return toOtlp(set, { tempo: true }, id);
    });
    app.get('/api/status/buildinfo', async () => ({ version: '2.9.0', revision: 'fake' }));
  });
}

/**
 * Jaeger query service: `/api/traces?service&start&end&limit&tags&minDuration` (start/end in µs),
 * matching a trace when one span of the service passes every filter, as Jaeger's stores do.
 */
export function startFakeJaeger(set: TraceSet): Promise<FakeBackend> {
  return serve((app) => {
    app.get('/api/services', async () => ({ data: ['checkout', 'frontend', 'payments'], total: 3 }));
    app.get('/api/traces', async (request, reply) => {
      const { service, start, end, limit, tags, minDuration } = request.query as Record<string, string>;
      if (!service) {
        return reply.code(400).send({
          data: null,
          total: 0,
          limit: 0,
          offset: 0,
          errors: [{ code: 400, msg: 'parameter service is required' }],
        });
      }
      const wanted = tags ? (JSON.parse(tags) as Record<string, string>) : {};
      const minMs = minDuration ? Number.parseInt(minDuration, 10) : -1;
      const hits = set.spans.filter((s) => {
        const startUs = (set.base.getTime() + s.offsetMs) * 1000;
        const spanTags: Record<string, string> = {
          ...Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])),
          ...(s.statusError ? { error: 'true', 'otel.status_code': 'ERROR' } : {}),
        };
        return (
          s.service === service &&
          startUs >= Number(start) &&
          startUs <= Number(end) &&
          s.durationMs >= minMs &&
          Object.entries(wanted).every(([key, value]) => spanTags[key] === value)
        );
      });
      const ids = [...new Set(hits.map((s) => s.traceId))].slice(0, Number(limit ?? 20));
      return { data: toJaeger(set, ids), total: 0, limit: 0, offset: 0, errors: null };
    });
  });
}
