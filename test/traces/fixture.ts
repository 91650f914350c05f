import type { Span, SpanKind } from '../../src/domain/evidence/telemetry.js';

/**
 * A trace set as eBPF instrumentation (Beyla) reports it: frontend → checkout → payments → postgres.
 * Trace A: payments answers 503 (old `http.status_code`, no span status), checkout's client span to it
 * has status ERROR, frontend and checkout answer 502 (new `http.response.status_code`). Trace B: all 200.
 */
export interface FixtureSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: SpanKind;
  offsetMs: number;
  durationMs: number;
  /** OTel span status ERROR (as opposed to an error only by HTTP status). */
  statusError: boolean;
  attributes: Record<string, string | number | boolean>;
}

export interface TraceSet {
  base: Date;
  spans: FixtureSpan[];
  resources: Record<string, Record<string, string>>;
  /** What every TraceSource must return for each fixture span (attributes: at least these). */
  expected: Span[];
}

export const traceA = '5b8efff798038103d269b633813fc60c';
export const traceB = '0af7651916cd43dd8448eb211c80319c';
export const services = ['frontend', 'checkout', 'payments'] as const;

const http = (method: string, route: string, status: number, old = false) => ({
  'http.request.method': method,
  'http.route': route,
  [old ? 'http.status_code' : 'http.response.status_code']: status,
});

export function buildTraceSet(base: Date): TraceSet {
  const span = (s: Omit<FixtureSpan, 'statusError'> & { statusError?: boolean }): FixtureSpan => ({
    statusError: false,
    ...s,
  });
  const spans: FixtureSpan[] = [
    span({
      traceId: traceA,
      spanId: 'a000000000000001',
      parentSpanId: null,
      service: 'frontend',
      name: 'GET /checkout',
      kind: 'server',
      offsetMs: 0,
      durationMs: 2400,
      attributes: { ...http('GET', '/checkout', 502), 'server.address': 'frontend' },
    }),
    span({
      traceId: traceA,
      spanId: 'a000000000000002',
      parentSpanId: 'a000000000000001',
      service: 'frontend',
      name: 'POST /api/checkout',
      kind: 'client',
      offsetMs: 5,
      durationMs: 2380,
      attributes: {
        ...http('POST', '/api/checkout', 502),
        'server.address': 'checkout',
        'peer.service': 'checkout',
      },
    }),
    span({
      traceId: traceA,
      spanId: 'a000000000000003',
      parentSpanId: 'a000000000000002',
      service: 'checkout',
      name: 'POST /api/checkout',
      kind: 'server',
      offsetMs: 10,
      durationMs: 2360,
      attributes: { ...http('POST', '/api/checkout', 502), 'server.address': 'checkout' },
    }),
    span({
      traceId: traceA,
      spanId: 'a000000000000004',
      parentSpanId: 'a000000000000003',
      service: 'checkout',
      name: 'POST /charge',
      kind: 'client',
      offsetMs: 15,
      durationMs: 2300,
      statusError: true,
      attributes: {
        ...http('POST', '/charge', 503),
        'server.address': 'payments',
        'peer.service': 'payments',
      },
    }),
    span({
      traceId: traceA,
      spanId: 'a000000000000005',
      parentSpanId: 'a000000000000004',
      service: 'payments',
      name: 'POST /charge',
      kind: 'server',
      offsetMs: 20,
      durationMs: 2250,
      attributes: { ...http('POST', '/charge', 503, true), 'server.address': 'payments' },
    }),
    span({
      traceId: traceA,
      spanId: 'a000000000000006',
      parentSpanId: 'a000000000000005',
      service: 'payments',
      name: 'SELECT payments',
      kind: 'client',
      offsetMs: 30,
      durationMs: 2000,
      attributes: {
        'db.system': 'postgresql',
        'db.operation.name': 'SELECT',
        'server.address': 'postgres',
        'server.port': 5432,
      },
    }),
    span({
      traceId: traceB,
      spanId: 'b000000000000001',
      parentSpanId: null,
      service: 'frontend',
      name: 'GET /cart',
      kind: 'server',
      offsetMs: 60_000,
      durationMs: 40,
      attributes: http('GET', '/cart', 200),
    }),
    span({
      traceId: traceB,
      spanId: 'b000000000000002',
      parentSpanId: 'b000000000000001',
      service: 'frontend',
      name: 'GET /api/cart',
      kind: 'client',
      offsetMs: 60_002,
      durationMs: 30,
      attributes: {
        ...http('GET', '/api/cart', 200),
        'server.address': 'checkout',
        'peer.service': 'checkout',
      },
    }),
    span({
      traceId: traceB,
      spanId: 'b000000000000003',
      parentSpanId: 'b000000000000002',
      service: 'checkout',
      name: 'GET /api/cart',
      kind: 'server',
      offsetMs: 60_004,
      durationMs: 25,
      attributes: http('GET', '/api/cart', 200, true),
    }),
  ];
  const resources = Object.fromEntries(
    services.map((service) => [
      service,
      {
        'service.name': service,
        'service.namespace': 'shop',
        'k8s.namespace.name': 'shop',
        'k8s.deployment.name': service,
        'k8s.pod.name': `${service}-6d5f9c7b8-x2k4q`,
        'telemetry.sdk.name': 'beyla',
      },
    ]),
  );
  const expected = spans.map((s): Span => {
    const status = Number(s.attributes['http.response.status_code'] ?? s.attributes['http.status_code'] ?? 0);
    const resource = resources[s.service] ?? {};
    return {
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.service,
      name: s.name,
      kind: s.kind,
      start: new Date(base.getTime() + s.offsetMs).toISOString(),
      durationMs: s.durationMs,
      status: s.statusError || status >= 500 ? 'error' : 'ok',
      attributes: { ...resource, ...s.attributes },
    };
  });
  return { base, spans, resources, expected };
}

const kindNumber: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

function anyValue(value: string | number | boolean, int64AsString: boolean) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value)
    ? { intValue: int64AsString ? String(value) : value }
    : { doubleValue: value };
}

export interface OtlpOptions {
  /** Tempo's answers (protobuf JSON): base64 ids, enum names, int64 as strings, `batches`. */
  tempo?: boolean;
}

/** The set as OTLP JSON: what an OTLP/HTTP exporter POSTs (hex ids), or what Tempo answers per trace. */
export function toOtlp(set: TraceSet, options: OtlpOptions = {}, traceId?: string): Record<string, unknown> {
  const tempo = options.tempo === true;
  const id = (hex: string) => (tempo ? Buffer.from(hex, 'hex').toString('base64') : hex);
  const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  const attrs = (record: Record<string, string | number | boolean>) =>
    Object.entries(record).map(([key, value]) => ({ key, value: anyValue(value, tempo) }));
  const batches = services
    .map((service) => ({
      resource: { attributes: attrs(set.resources[service] ?? {}) },
      scopeSpans: [
        {
          scope: { name: 'github.com/grafana/beyla', version: 'v2.1.0' },
          spans: set.spans
            .filter((s) => s.service === service && (traceId === undefined || s.traceId === traceId))
            .map((s) => {
              const start = set.base.getTime() + s.offsetMs;
              return {
                traceId: id(s.traceId),
                spanId: id(s.spanId),
                ...(s.parentSpanId ? { parentSpanId: id(s.parentSpanId) } : {}),
                name: s.name,
                kind: tempo ? `SPAN_KIND_${s.kind.toUpperCase()}` : kindNumber[s.kind],
                startTimeUnixNano: nanos(start),
                endTimeUnixNano: nanos(start + s.durationMs),
                attributes: attrs(s.attributes),
                status: s.statusError ? (tempo ? { code: 'STATUS_CODE_ERROR' } : { code: 2 }) : {},
              };
            }),
        },
      ],
    }))
    .filter((batch) => (batch.scopeSpans[0]?.spans.length ?? 0) > 0);
  return tempo ? { batches } : { resourceSpans: batches };
}

/** The set as Jaeger's `/api/traces` answer renders OTLP-ingested spans (one entry per trace). */
export function toJaeger(set: TraceSet, traceIds: readonly string[]): Array<Record<string, unknown>> {
  const tag = (key: string, value: string | number | boolean) => ({
    key,
    type:
      typeof value === 'string'
        ? 'string'
        : typeof value === 'boolean'
          ? 'bool'
          : Number.isInteger(value)
            ? 'int64'
            : 'float64',
    value,
  });
  return traceIds.map((traceId) => {
    const spans = set.spans.filter((s) => s.traceId === traceId);
    const used = services.filter((service) => spans.some((s) => s.service === service));
    const processId = (service: string) => `p${used.indexOf(service as (typeof services)[number]) + 1}`;
    return {
      traceID: traceId,
      spans: spans.map((s) => ({
        traceID: s.traceId,
        spanID: s.spanId,
        operationName: s.name,
        references: s.parentSpanId
          ? [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId }]
          : [],
        startTime: (set.base.getTime() + s.offsetMs) * 1000,
        duration: s.durationMs * 1000,
        tags: [
          tag('otel.scope.name', 'github.com/grafana/beyla'),
          tag('otel.scope.version', 'v2.1.0'),
          ...Object.entries(s.attributes).map(([key, value]) => tag(key, value)),
          tag('span.kind', s.kind),
          ...(s.statusError ? [tag('otel.status_code', 'ERROR'), tag('error', true)] : []),
          tag('internal.span.format', 'otlp'),
        ],
        logs: [],
        processID: processId(s.service),
        warnings: null,
      })),
      processes: Object.fromEntries(
        used.map((service) => {
          const { 'service.name': name, ...rest } = set.resources[service] ?? {};
          return [
            processId(service),
            { serviceName: name, tags: Object.entries(rest).map(([k, v]) => tag(k, v)) },
          ];
        }),
      ),
      warnings: null,
    };
  });
}
