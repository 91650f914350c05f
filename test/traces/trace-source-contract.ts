import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../src/domain/evidence/telemetry.js';
import type { TraceQuery, TraceSource } from '../../src/ports/trace-source.js';
import { buildTraceSet, services, type TraceSet, traceA, traceB } from './fixture.js';

export interface TraceSourceFixture {
  source: TraceSource;
  close(): Promise<void>;
}

const byId = (spans: readonly Span[], spanId: string) => spans.find((span) => span.spanId === spanId);

/**
 * Every TraceSource adapter must pass this suite, given a backend holding `buildTraceSet(base)`
 * (setup receives the set to serve or ingest). Trace A is the failing checkout, trace B a healthy one.
 */
export function traceSourceContract(
  name: string,
  setup: (set: TraceSet) => Promise<TraceSourceFixture>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(`TraceSource contract: ${name}`, () => {
    // Recent, so a real backend's retention and default lookback keep it; whole milliseconds.
    const base = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
    const set = buildTraceSet(base);
    const window = { start: new Date(base.getTime() - 60_000), end: new Date(base.getTime() + 5 * 60_000) };
    const all: TraceQuery = { services: [...services], ...window, limit: 20 };
    let fixture: TraceSourceFixture;
    beforeAll(async () => {
      fixture = await setup(set);
    });
    afterAll(async () => {
      await fixture?.close();
    });

    it('returns every span of each matching trace, once, normalised', async () => {
      const spans = await fixture.source.spans(all);
      expect(spans.map((span) => span.spanId).sort()).toEqual(set.spans.map((span) => span.spanId).sort());
      for (const expected of set.expected) {
        const { attributes, ...rest } = expected;
        const got = byId(spans, expected.spanId);
        expect(got, expected.spanId).toMatchObject(rest);
        expect(got?.attributes, expected.spanId).toMatchObject(attributes);
      }
    });

    it('links parents across services (frontend → checkout → payments → postgres)', async () => {
      const spans = await fixture.source.spans({ ...all, services: ['payments'] });
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceA]));
      const chain: Array<string | null> = [];
      for (let span = byId(spans, 'a000000000000006'); span; span = byId(spans, span.parentSpanId ?? '')) {
        chain.push(`${span.service}/${span.kind}`);
      }
      expect(chain).toEqual([
        'payments/client',
        'payments/server',
        'checkout/client',
        'checkout/server',
        'frontend/client',
        'frontend/server',
      ]);
      expect(byId(spans, 'a000000000000001')?.parentSpanId).toBeNull();
      expect(byId(spans, 'a000000000000006')?.attributes).toMatchObject({ 'db.system': 'postgresql' });
    });

    it('marks errors by span status and by HTTP 5xx under the new and the old attribute name', async () => {
      const spans = await fixture.source.spans(all);
      const status = (id: string) => byId(spans, id)?.status;
      expect(status('a000000000000004')).toBe('error'); // checkout → payments client span, status ERROR
      expect(byId(spans, 'a000000000000004')?.attributes['http.response.status_code']).toBe(503);
      expect(status('a000000000000005')).toBe('error'); // payments server span, old http.status_code 503 only
      expect(byId(spans, 'a000000000000005')?.attributes['http.status_code']).toBe(503);
      expect(status('a000000000000001')).toBe('error'); // frontend 502, new attribute only
      expect(status('a000000000000006')).toBe('ok');
      expect(status('b000000000000003')).toBe('ok'); // old attribute, 200
      expect(spans.filter((span) => span.traceId === traceB).every((span) => span.status === 'ok')).toBe(
        true,
      );
    });

    it("keeps the resource's Kubernetes attributes on each span", async () => {
      const spans = await fixture.source.spans({ ...all, services: ['checkout'] });
      expect(byId(spans, 'a000000000000003')?.attributes).toMatchObject({
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': 'checkout-6d5f9c7b8-x2k4q',
        'http.route': '/api/checkout',
        'http.request.method': 'POST',
      });
      expect(byId(spans, 'a000000000000004')?.attributes['peer.service']).toBe('payments');
    });

    it("finds only error traces with only: 'error' and only slow ones with only: 'slow'", async () => {
      const errors = await fixture.source.spans({ ...all, only: 'error' });
      expect(new Set(errors.map((span) => span.traceId))).toEqual(new Set([traceA]));
      expect(errors).toHaveLength(6);
      const slow = await fixture.source.spans({ ...all, only: 'slow', minDurationMs: 1000 });
      expect(new Set(slow.map((span) => span.traceId))).toEqual(new Set([traceA]));
    });

    it('honours the limit, the window and unknown services', async () => {
      const one = await fixture.source.spans({ ...all, limit: 1 });
      expect(new Set(one.map((span) => span.traceId)).size).toBe(1);
      const before = new Date(base.getTime() - 3600_000);
      expect(
        await fixture.source.spans({ ...all, start: before, end: new Date(before.getTime() + 60_000) }),
      ).toEqual([]);
      expect(await fixture.source.spans({ ...all, services: ['no-such-service'] })).toEqual([]);
      expect(await fixture.source.spans({ ...all, limit: 0 })).toEqual([]);
    });
  });
}
