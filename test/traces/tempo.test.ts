import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempoTraceSource, traceQl } from '../../src/adapters/tempo/source.js';
import { buildTraceSet, traceA, traceB } from './fixture.js';
import { type FakeBackend, startFakeTempo } from './servers.js';
import { traceSourceContract } from './trace-source-contract.js';

traceSourceContract('Tempo (fake server with Tempo 2.x answers)', async (set) => {
  const tempo = await startFakeTempo(set);
  return { source: new TempoTraceSource({ url: tempo.url }), close: () => tempo.close() };
});

describe('Tempo TraceSource', () => {
  const base = new Date('2026-11-25T12:00:00.000Z');
  const set = buildTraceSet(base);
  const window = { start: new Date('2026-11-25T11:59:00.500Z'), end: new Date('2026-11-25T12:05:00.200Z') };
  let tempo: FakeBackend;
  beforeAll(async () => {
    tempo = await startFakeTempo(set);
  });
  afterAll(async () => {
    await tempo.close();
  });

  it('builds TraceQL for services, errors and slowness', () => {
    const q = { start: base, end: base, limit: 5 };
    expect(traceQl({ ...q, services: ['a', 'b'], only: 'error' })).toBe(
      '{ resource.service.name =~ "a|b" && status = error }',
    );
    expect(traceQl({ ...q, services: ['checkout'], only: 'slow', minDurationMs: 750 })).toBe(
      '{ resource.service.name = "checkout" && duration > 750ms }',
    );
    expect(traceQl({ ...q, services: ['a.b', 'c"d'] })).toBe('{ resource.service.name =~ "a\\\\.b|c\\"d" }');
    expect(traceQl({ ...q, services: [], only: 'slow' })).toBe('{ duration > 500ms }');
  });

  it('searches with q, start, end (unix seconds) and limit, then fetches each trace by id', async () => {
    tempo.requests.length = 0;
    const source = new TempoTraceSource({ url: tempo.url, headers: { 'X-Scope-OrgID': 'shop' } });
    const spans = await source.spans({
      services: ['checkout', 'payments'],
      ...window,
      limit: 7,
      only: 'error',
    });
    expect(tempo.requests[0]).toEqual({
      path: '/api/search',
      query: {
        q: '{ resource.service.name =~ "checkout|payments" && status = error }',
        start: String(Math.floor(window.start.getTime() / 1000)),
        end: String(Math.ceil(window.end.getTime() / 1000)),
        limit: '7',
      },
    });
    expect(tempo.requests.slice(1).map((r) => r.path)).toEqual([`/api/traces/${traceA}`]);
    expect(spans).toHaveLength(6);
    // Tempo answers base64 ids and enum names; they come back as hex and plain kinds.
    expect(spans.find((s) => s.spanId === 'a000000000000004')).toMatchObject({
      traceId: traceA,
      parentSpanId: 'a000000000000003',
      kind: 'client',
      status: 'error',
    });
  });

  it('skips a trace gone since the search (404) and keeps the rest', async () => {
    tempo.requests.length = 0;
    tempo.override(`/api/traces/${traceB}`, 404, 'trace not found');
    const spans = await new TempoTraceSource({ url: tempo.url }).spans({
      services: ['frontend'],
      ...window,
      limit: 5,
    });
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceA]));
  });

  it('rejects a 500, a non-JSON answer and an unexpected shape with a clear error', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      [
        '/api/search',
        500,
        'internal error: querier down',
        /answered the trace search with HTTP 500: internal error/,
      ],
      ['/api/search', 200, '<html>proxy</html>', /answered the trace search with something that is not JSON/],
      ['/api/search', 200, '{"traces": "nope"}', /answered the trace search with an unexpected shape/],
    ];
    for (const [path, status, body, message] of cases) {
      const server = await startFakeTempo(set);
      server.override(path, status, body);
      const source = new TempoTraceSource({ url: server.url });
      const failure = await source
        .spans({ services: ['checkout'], ...window, limit: 5 })
        .catch((e: unknown) => e);
      await server.close();
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).name).toBe('TraceBackendUnavailableError');
      expect((failure as Error).message).toMatch(message);
      expect((failure as Error).message).toContain(`Tempo at ${server.url}/`);
    }
  });

  it('reports an unreachable Tempo and a bad window', async () => {
    const source = new TempoTraceSource({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(source.spans({ services: ['a'], ...window, limit: 1 })).rejects.toThrow(/is unreachable/);
    await expect(
      source.spans({ services: ['a'], start: window.end, end: window.start, limit: 1 }),
    ).rejects.toThrow(/end before start/);
    expect(() => new TempoTraceSource({ url: 'nope' })).toThrow(/^traces\.tempo\.url:/);
    await expect(new TempoTraceSource({ url: tempo.url }).ping()).resolves.toBeUndefined();
  });
});
