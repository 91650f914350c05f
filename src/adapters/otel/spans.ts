import { ErrorCodes, MedicError } from '../../domain/errors.js';
/**
 * Shared span normalisation for the trace adapters (Tempo, Jaeger): OTLP JSON → Span, plus the
 * helpers both use (ids, kinds, error status). Attribute names follow OTel and eBPF instrumentation
 * (Beyla, Odigos): `http.response.status_code`, older `http.status_code`, `k8s.*`, `service.name`.
 */
import type { Span, SpanKind } from '../../domain/evidence/telemetry.js';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** HTTP status attribute names, current convention first. */
export const httpStatusAttributes = ['http.response.status_code', 'http.status_code'] as const;

/** A trace backend can't be asked (unreachable, timed out, 5xx, malformed answer). */
export class TraceBackendUnavailableError extends MedicError {
  readonly url: string;
  constructor(url: string, message: string, options?: ErrorOptions) {
    super(ErrorCodes.upstreamUnavailable, message, { url }, options);
    this.name = 'TraceBackendUnavailableError';
    this.url = url;
  }
}

const hexId = /^[0-9a-f]+$/i;

/** An id as lower-case hex, whether it arrives as hex (OTLP JSON) or base64 (protobuf JSON, e.g. Tempo). */
export function idToHex(id: unknown, bytes: 8 | 16): string | null {
  if (typeof id !== 'string' || id === '') return null;
  let hex: string;
  if (hexId.test(id) && id.length <= bytes * 2) hex = id.toLowerCase().padStart(bytes * 2, '0');
  else
    hex = Buffer.from(id, 'base64')
      .toString('hex')
      .padStart(bytes * 2, '0');
  return /^0+$/.test(hex) ? null : hex;
}

const kindByNumber: readonly SpanKind[] = [
  'internal',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const kinds = new Set<SpanKind>(['server', 'client', 'internal', 'producer', 'consumer']);

/** OTLP enum ints (0–5), `SPAN_KIND_SERVER`-style names, or plain names (`server`, `SERVER`). */
export function spanKind(kind: unknown): SpanKind {
  if (typeof kind === 'number') return kindByNumber[kind] ?? 'internal';
  if (typeof kind !== 'string') return 'internal';
  const name = kind.toLowerCase().replace(/^span_kind_/, '');
  return kinds.has(name as SpanKind) ? (name as SpanKind) : 'internal';
}

/** The HTTP status under either attribute name, when it is a number (or numeric string). */
export function httpStatus(attributes: Attributes): number | null {
  for (const name of httpStatusAttributes) {
    const value = Number(attributes[name]);
    if (attributes[name] !== undefined && Number.isInteger(value)) return value;
  }
  return null;
}

/** An error when the span says so, or its HTTP status is 5xx (under either attribute name). */
export function spanStatus(statusSaysError: boolean, attributes: Attributes): 'ok' | 'error' {
  if (statusSaysError) return 'error';
  const status = httpStatus(attributes);
  return status !== null && status >= 500 ? 'error' : 'ok';
}

/** OTLP status code 2 / `STATUS_CODE_ERROR` / `ERROR`. */
export function otlpStatusIsError(code: unknown): boolean {
  return code === 2 || code === '2' || code === 'STATUS_CODE_ERROR' || code === 'ERROR';
}

interface AnyValue {
  stringValue?: unknown;
  intValue?: unknown;
  boolValue?: unknown;
  doubleValue?: unknown;
  bytesValue?: unknown;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: Array<{ key?: unknown; value?: AnyValue }> };
}

function plain(value: AnyValue | undefined): unknown {
  if (value === undefined || value === null) return undefined;
  if (value.stringValue !== undefined) return String(value.stringValue);
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue === true || value.boolValue === 'true';
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return String(value.bytesValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  if (value.kvlistValue !== undefined) {
    return Object.fromEntries(
      (value.kvlistValue.values ?? []).map((kv) => [String(kv.key), plain(kv.value)]),
    );
  }
  return undefined;
}

/** OTLP `[{key, value: {stringValue|intValue|boolValue|doubleValue|…}}]` → flat attributes (arrays/maps as JSON). */
export function otlpAttributes(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const item of list as Array<{ key?: unknown; value?: AnyValue }>) {
    if (typeof item?.key !== 'string') continue;
    const value = plain(item.value);
    if (typeof value === 'string' || typeof value === 'boolean') out[item.key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) out[item.key] = value;
    else if (value !== undefined) out[item.key] = JSON.stringify(value);
  }
  return out;
}

/** Nanoseconds since the epoch (string or number) as BigInt; null when absent or malformed. */
function nanos(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value));
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return null;
}

/** RFC 3339 (millisecond precision) of epoch microseconds or nanoseconds. */
export function isoFromNanos(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** Milliseconds, kept to microsecond precision. */
export function durationMsFromNanos(ns: bigint): number {
  return ns <= 0n ? 0 : Number(ns / 1000n) / 1000;
}

interface OtlpSpan {
  traceId?: unknown;
  spanId?: unknown;
  parentSpanId?: unknown;
  name?: unknown;
  kind?: unknown;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  attributes?: unknown;
  status?: { code?: unknown };
}

interface ResourceSpans {
  resource?: { attributes?: unknown };
  scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  /** OTLP before 0.15 and older Tempo answers. */
  instrumentationLibrarySpans?: Array<{ spans?: OtlpSpan[] }>;
}

/**
 * Spans of an OTLP JSON document: `{resourceSpans}` (OTLP/HTTP, Tempo v2), `{batches}` (Tempo v1
 * `/api/traces/<id>`) or `{trace: {resourceSpans}}` (Tempo `/api/v2/traces/<id>`). Resource attributes
 * (service.name, k8s.*) are merged under the span's own; spans without ids are dropped.
 */
export function spansFromOtlp(document: unknown): Span[] {
  const doc = (document ?? {}) as {
    resourceSpans?: unknown;
    batches?: unknown;
    trace?: { resourceSpans?: unknown };
  };
  const batches = doc.resourceSpans ?? doc.batches ?? doc.trace?.resourceSpans;
  if (!Array.isArray(batches)) return [];
  const spans: Span[] = [];
  for (const batch of batches as ResourceSpans[]) {
    const resource = otlpAttributes(batch?.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const scope of [...(batch?.scopeSpans ?? []), ...(batch?.instrumentationLibrarySpans ?? [])]) {
      for (const raw of scope?.spans ?? []) {
        const span = toSpan(raw, service, resource);
        if (span) spans.push(span);
      }
    }
  }
  return spans;
}

function toSpan(raw: OtlpSpan, service: string, resource: Attributes): Span | null {
  const traceId = idToHex(raw.traceId, 16);
  const spanId = idToHex(raw.spanId, 8);
  const start = nanos(raw.startTimeUnixNano);
  if (traceId === null || spanId === null || start === null) return null;
  const end = nanos(raw.endTimeUnixNano) ?? start;
  const attributes = { ...resource, ...otlpAttributes(raw.attributes) };
  return {
    traceId,
    spanId,
    parentSpanId: idToHex(raw.parentSpanId, 8),
    service,
    name: typeof raw.name === 'string' ? raw.name : '',
    kind: spanKind(raw.kind),
    start: isoFromNanos(start),
    durationMs: durationMsFromNanos(end - start),
    status: spanStatus(otlpStatusIsError(raw.status?.code), attributes),
    attributes,
  };
}

/** Drops repeated spans (same trace and span id), keeping the first. */
export function dedupeSpans(spans: readonly Span[]): Span[] {
  const seen = new Set<string>();
  return spans.filter((span) => {
    const key = `${span.traceId}/${span.spanId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
