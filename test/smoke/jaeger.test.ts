import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jaeger, jaegerAvailable, jaegerSkipReason, startJaeger } from '../support/jaeger.js';
import { waitFor } from '../support/ports.js';

const available = jaegerAvailable();
if (!available) console.warn(`skipping jaeger smoke test: ${jaegerSkipReason()}`);

interface JaegerTrace {
  traceID: string;
  spans: Array<{ traceID: string; spanID: string; operationName: string; processID: string }>;
  processes: Record<string, { serviceName: string }>;
}

describe.skipIf(!available)('jaeger all-in-one (OTLP/HTTP in, query API out)', () => {
  let jaeger: Jaeger;

  beforeAll(async () => {
    jaeger = await startJaeger();
  }, 60_000);

  afterAll(async () => {
    await jaeger?.stop();
  });

  it.skipIf(!available)('stores an OTLP/HTTP JSON trace and returns it from /api/traces', async () => {
    const service = `medic-smoke-${randomBytes(3).toString('hex')}`;
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [
            {
              scope: { name: 'medic-smoke' },
              spans: [
                {
                  traceId,
                  spanId,
                  name: 'GET /checkout',
                  kind: 2,
                  startTimeUnixNano: String(now - 5_000_000n),
                  endTimeUnixNano: String(now),
                  attributes: [{ key: 'http.response.status_code', value: { intValue: '500' } }],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
    const posted = await fetch(`${jaeger.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);

    const trace = await waitFor(
      'the trace in the query API',
      async () => {
        const res = await fetch(
          `${jaeger.queryUrl}/api/traces?service=${encodeURIComponent(service)}&lookback=1h&limit=20`,
        );
        if (!res.ok) return undefined;
        const json = (await res.json()) as { data?: JaegerTrace[] };
        return json.data?.find((t) => t.traceID === traceId);
      },
      15_000,
    );
    expect(trace.spans).toHaveLength(1);
    const span = trace.spans[0];
    expect(span?.spanID).toBe(spanId);
    expect(span?.operationName).toBe('GET /checkout');
    expect(trace.processes[span?.processID ?? '']?.serviceName).toBe(service);

    const services = (await (await fetch(`${jaeger.queryUrl}/api/services`)).json()) as { data: string[] };
    expect(services.data).toContain(service);
  });
});
