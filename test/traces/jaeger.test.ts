import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JaegerTraceSource, spansFromJaeger } from '../../src/adapters/jaeger/source.js';
import type { Span } from '../../src/domain/evidence/telemetry.js';
import { type Jaeger, jaegerAvailable, jaegerSkipReason, startJaeger } from '../support/jaeger.js';
import { waitFor } from '../support/ports.js';
import { buildTraceSet, type TraceSet, toJaeger, toOtlp, traceA, traceB } from './fixture.js';
import { type FakeBackend, startFakeJaeger } from './servers.js';
import { traceSourceContract } from './trace-source-contract.js';

traceSourceContract('Jaeger (fake server with recorded-shape answers)', async (set) => {
  const jaeger = await startFakeJaeger(set);
  return { source: new JaegerTraceSource({ url: jaeger.url }), close: () => jaeger.close() };
});

/** Sends the set to a real Jaeger over OTLP/HTTP JSON, as an OTel exporter (Beyla, Odigos) would. */
async function ingest(jaeger: Jaeger, set: TraceSet): Promise<void> {
  const response = await fetch(`${jaeger.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(toOtlp(set)),
  });
  expect(response.status, await response.text()).toBe(200);
  const until = (set.base.getTime() + 3600_000) * 1000;
  await waitFor('Jaeger to store the traces', async () => {
    const answer = await fetch(
      `${jaeger.queryUrl}/api/traces?service=checkout&start=0&end=${until}&limit=10`,
    );
    const body = (await answer.json()) as { data?: Array<{ spans: unknown[] }> | null };
    return body.data?.length === 2 && body.data.reduce((n, t) => n + t.spans.length, 0) === 9;
  });
}

const realSkip = jaegerAvailable() ? undefined : jaegerSkipReason();

/** One real Jaeger for the file (starting one takes seconds), holding the first set ingested. */
let real: Promise<{ jaeger: Jaeger; set: TraceSet }> | undefined;
function realJaeger(set: TraceSet): Promise<{ jaeger: Jaeger; set: TraceSet }> {
  real ??= (async () => {
    const jaeger = await startJaeger();
    await ingest(jaeger, set);
    return { jaeger, set };
  })();
  return real;
}
afterAll(async () => {
  await (await real)?.jaeger.stop();
});

traceSourceContract(
  `Jaeger (real, ${realSkip ?? 'jaeger-all-in-one'})`,
  async (set) => {
    const { jaeger } = await realJaeger(set);
    return { source: new JaegerTraceSource({ url: jaeger.queryUrl }), close: async () => {} };
  },
  realSkip,
);

describe.skipIf(realSkip !== undefined)(
  `Jaeger answers match the fake's (real Jaeger${realSkip ? `: ${realSkip}` : ''})`,
  () => {
    it('normalises a real answer exactly as the recorded-shape one', async () => {
      const { jaeger, set } = await realJaeger(
        buildTraceSet(new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000)),
      );
      const sort = (spans: Span[]) =>
        [...spans]
          .map((span) => ({
            ...span,
            attributes: Object.fromEntries(Object.entries(span.attributes).sort()),
          }))
          .sort((a, b) => a.spanId.localeCompare(b.spanId));
      const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceA}`);
      const recorded = ((await response.json()) as { data: Parameters<typeof spansFromJaeger>[0][] }).data;
      const fake = toJaeger(set, [traceA]) as unknown as Parameters<typeof spansFromJaeger>[0][];
      expect(sort(recorded.flatMap(spansFromJaeger))).toEqual(sort(fake.flatMap(spansFromJaeger)));
    });
  },
);

describe('Jaeger TraceSource', () => {
  const base = new Date('2026-11-25T12:00:00.000Z');
  const set = buildTraceSet(base);
  const window = { start: new Date('2026-11-25T11:59:00.000Z'), end: new Date('2026-11-25T12:05:00.000Z') };
  let jaeger: FakeBackend;
  beforeAll(async () => {
    jaeger = await startFakeJaeger(set);
  });
  afterAll(async () => {
    await jaeger.close();
  });

  it('converts the window to microseconds', () => {
    expect(window.start.getTime() * 1000).toBe(1_795_607_940_000_000);
  });

  it('asks once per service with start/end in microseconds, limit and lookback, and dedupes traces', async () => {
    jaeger.requests.length = 0;
    const source = new JaegerTraceSource({ url: jaeger.url });
    const spans = await source.spans({
      services: ['frontend', 'checkout', 'frontend'],
      ...window,
      limit: 10,
    });
    expect(jaeger.requests.map((r) => r.query)).toEqual(
      ['frontend', 'checkout'].map((service) => ({
        service,
        start: String(window.start.getTime() * 1000),
        end: String(window.end.getTime() * 1000),
        limit: '10',
        lookback: 'custom',
      })),
    );
    expect(spans).toHaveLength(9);
    expect(new Set(spans.map((s) => `${s.traceId}/${s.spanId}`)).size).toBe(9);
  });

  it('filters errors with tags and slowness with minDuration', async () => {
    jaeger.requests.length = 0;
    const source = new JaegerTraceSource({ url: jaeger.url });
    await source.spans({ services: ['checkout'], ...window, limit: 3, only: 'error' });
    await source.spans({ services: ['checkout'], ...window, limit: 3, only: 'slow', minDurationMs: 1500 });
    expect(jaeger.requests[0]?.query['tags']).toBe('{"error":"true"}');
    expect(jaeger.requests[1]?.query['minDuration']).toBe('1500ms');
  });

  it('reads tags: span.kind, error=true, otel.status_code, process tags and the old status attribute', () => {
    const [trace] = toJaeger(set, [traceA]) as unknown as Parameters<typeof spansFromJaeger>[0][];
    const spans = trace ? spansFromJaeger(trace) : [];
    const payments = spans.find((s) => s.spanId === 'a000000000000005');
    expect(payments).toMatchObject({
      service: 'payments',
      kind: 'server',
      status: 'error',
      durationMs: 2250,
    });
    expect(payments?.attributes).toMatchObject({
      'http.status_code': 503,
      'k8s.pod.name': 'payments-6d5f9c7b8-x2k4q',
    });
    expect(payments?.attributes['internal.span.format']).toBeUndefined();
    const client = spans.find((s) => s.spanId === 'a000000000000004');
    expect(client?.attributes).toMatchObject({
      error: true,
      'otel.status_code': 'ERROR',
      'span.kind': 'client',
    });
    expect(spansFromJaeger({ traceID: traceB, spans: [] })).toEqual([]);
  });

  it('rejects errors Jaeger reports, non-JSON and an unexpected shape with a clear error', async () => {
    const cases: Array<[number, string, RegExp]> = [
      [500, '{"data":null,"errors":[{"code":500,"msg":"storage down"}]}', /HTTP 500: .*storage down/],
      [
        200,
        '{"data":null,"errors":[{"code":500,"msg":"storage down"}]}',
        /failed the trace search for checkout: storage down/,
      ],
      [200, 'not json', /not JSON/],
      [200, '{"data":[{"traceID":1}]}', /unexpected shape/],
    ];
    for (const [status, body, message] of cases) {
      const server = await startFakeJaeger(set);
      server.override('/api/traces', status, body);
      const failure = await new JaegerTraceSource({ url: server.url })
        .spans({ services: ['checkout'], ...window, limit: 1 })
        .catch((e: unknown) => e);
      await server.close();
      expect((failure as Error).name).toBe('TraceBackendUnavailableError');
      expect((failure as Error).message).toMatch(message);
    }
    await expect(
      new JaegerTraceSource({ url: jaeger.url }).spans({ services: [], ...window, limit: 1 }),
    ).rejects.toThrow(/at least one service/);
    await expect(new JaegerTraceSource({ url: jaeger.url }).ping()).resolves.toBeUndefined();
  });
});
