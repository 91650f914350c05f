/**
 * TraceSource over Jaeger's query HTTP API (`/api/traces`, the one the Jaeger UI uses; Jaeger v1 and
 * v2): one search per service, traces deduplicated. OTLP spans stored by Jaeger keep their attribute
 * names as tags; status and kind arrive as `error=true`, `otel.status_code=ERROR`, `span.kind`.
 */
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Span } from '../../domain/evidence/telemetry.js';
import { parseAdapterConfig } from '../../domain/parse-config.js';
import type { TraceQuery, TraceSource } from '../../ports/trace-source.js';
import { baseUrl, getJson, validWindow } from '../otel/http.js';
import {
  type Attributes,
  dedupeSpans,
  durationMsFromNanos,
  idToHex,
  isoFromNanos,
  spanKind,
  spanStatus,
  TraceBackendUnavailableError,
} from '../otel/spans.js';

export const jaegerConfigSchema = z.strictObject({
  /** The query service (the UI's port, 16686 by default). */
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.int().positive().default(10_000),
  /** Sent with every request (Authorization behind a proxy, …). */
  headers: z.record(z.string(), z.string()).optional(),
  /** The span duration `only: 'slow'` means when the query names none. */
  defaultSlowMs: z.int().positive().default(500),
});

export type JaegerConfig = z.output<typeof jaegerConfigSchema>;
export type JaegerConfigInput = z.input<typeof jaegerConfigSchema>;

const tagSchema = z.object({ key: z.string(), type: z.string().optional(), value: z.unknown() });
const spanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string().optional(),
  references: z
    .array(z.object({ refType: z.string(), traceID: z.string().optional(), spanID: z.string() }))
    .nullish(),
  parentSpanID: z.string().optional(),
  startTime: z.number(),
  duration: z.number(),
  tags: z.array(tagSchema).nullish(),
  processID: z.string().optional(),
});
const traceSchema = z.object({
  traceID: z.string(),
  spans: z.array(spanSchema),
  processes: z
    .record(z.string(), z.object({ serviceName: z.string(), tags: z.array(tagSchema).nullish() }))
    .nullish(),
});
const answerSchema = z.object({
  data: z.array(traceSchema).nullish(),
  errors: z.array(z.object({ code: z.number().optional(), msg: z.string().optional() })).nullish(),
});

type JaegerTrace = z.infer<typeof traceSchema>;
type JaegerTag = z.infer<typeof tagSchema>;

/** Tags Jaeger adds for its own bookkeeping, not span attributes. */
const bookkeeping = new Set(['internal.span.format']);

function tagValue(tag: JaegerTag): string | number | boolean | undefined {
  const { value } = tag;
  if (tag.type === 'bool') return value === true || value === 'true';
  if (tag.type === 'int64' || tag.type === 'float64') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value === undefined || value === null ? undefined : JSON.stringify(value);
}

function tagsToAttributes(tags: readonly JaegerTag[] | null | undefined): Attributes {
  const out: Attributes = {};
  for (const tag of tags ?? []) {
    if (bookkeeping.has(tag.key)) continue;
    const value = tagValue(tag);
    if (value !== undefined) out[tag.key] = value;
  }
  return out;
}

/**
 * The spans of one trace of a `/api/traces` answer. Attributes: `service.name` and the process tags
 * (k8s.*, host), under the span's tags, as OTLP resource attributes sit under span attributes.
 */
export function spansFromJaeger(trace: JaegerTrace): Span[] {
  const spans: Span[] = [];
  for (const raw of trace.spans) {
    const traceId = idToHex(raw.traceID, 16);
    const spanId = idToHex(raw.spanID, 8);
    if (traceId === null || spanId === null) continue;
    const process = raw.processID === undefined ? undefined : trace.processes?.[raw.processID];
    const service = process?.serviceName ?? 'unknown';
    const attributes: Attributes = {
      'service.name': service,
      ...tagsToAttributes(process?.tags),
      ...tagsToAttributes(raw.tags),
    };
    const refs = raw.references ?? [];
    const parent =
      refs.find((ref) => ref.refType === 'CHILD_OF') ?? refs.find((ref) => ref.refType === 'FOLLOWS_FROM');
    const statusCode = attributes['otel.status_code'];
    const flagged = attributes['error'] === true || attributes['error'] === 'true' || statusCode === 'ERROR';
    spans.push({
      traceId,
      spanId,
      parentSpanId: idToHex(parent?.spanID ?? raw.parentSpanID, 8),
      service,
      name: raw.operationName ?? '',
      kind: spanKind(attributes['span.kind']),
      start: isoFromNanos(BigInt(Math.round(raw.startTime)) * 1000n),
      durationMs: durationMsFromNanos(BigInt(Math.round(raw.duration)) * 1000n),
      status: spanStatus(flagged, attributes),
      attributes,
    });
  }
  return spans;
}

export class JaegerTraceSource implements TraceSource {
  readonly config: JaegerConfig;
  readonly #base: string;
  readonly #where: string;

  constructor(config: JaegerConfigInput) {
    const parsed = parseAdapterConfig(jaegerConfigSchema, config, ['traces', 'jaeger']);
    this.config = parsed;
    this.#base = baseUrl(parsed.url);
    this.#where = `Jaeger at ${this.#base}`;
  }

  /** The query string of one service's search (for logs and tests). */
  params(service: string, query: TraceQuery, limit: number): Record<string, string> {
    const params: Record<string, string> = {
      service,
      start: String(query.start.getTime() * 1000),
      end: String(query.end.getTime() * 1000),
      limit: String(limit),
      lookback: 'custom',
    };
    if (query.only === 'error') params['tags'] = JSON.stringify({ error: 'true' });
    if (query.only === 'slow') {
      params['minDuration'] =
        `${Math.max(0, Math.round(query.minDurationMs ?? this.config.defaultSlowMs))}ms`;
    }
    return params;
  }

  async spans(query: TraceQuery): Promise<Span[]> {
    if (!validWindow(query.start, query.end)) {
      throw new MedicError(ErrorCodes.badRequest, 'invalid trace window: end before start', {});
    }
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    const services = [...new Set(query.services)];
    if (services.length === 0) {
      throw new MedicError(ErrorCodes.badRequest, 'Jaeger searches need at least one service', {});
    }
    const answers = await Promise.all(services.map((service) => this.#search(service, query, limit)));
    const traces = new Map<string, JaegerTrace>();
    for (const trace of answers.flat()) {
      const id = idToHex(trace.traceID, 16) ?? trace.traceID;
      if (!traces.has(id) && traces.size < limit) traces.set(id, trace);
    }
    return dedupeSpans([...traces.values()].flatMap(spansFromJaeger));
  }

  /** Resolves when the query service lists its services (for readiness). */
  async ping(): Promise<void> {
    await this.#get('api/services', 'ping', {});
  }

  async #search(service: string, query: TraceQuery, limit: number): Promise<JaegerTrace[]> {
    const what = `the trace search for ${service}`;
    const body = await this.#get('api/traces', what, this.params(service, query, limit));
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) {
      throw new TraceBackendUnavailableError(
        this.#base,
        `${this.#where} answered ${what} with an unexpected shape`,
      );
    }
    const data = parsed.data.data ?? [];
    const problems = parsed.data.errors ?? [];
    if (data.length === 0 && problems.length > 0) {
      const detail = problems.map((problem) => problem.msg ?? String(problem.code)).join('; ');
      throw new TraceBackendUnavailableError(this.#base, `${this.#where} failed ${what}: ${detail}`);
    }
    return data;
  }

  async #get(path: string, what: string, params: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.#base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return getJson(url, {
      where: this.#where,
      what,
      timeoutMs: this.config.timeoutMs,
      ...(this.config.headers ? { headers: this.config.headers } : {}),
    });
  }
}

/** Factory for main/: config → TraceSource. */
export function createJaegerTraceSource(config: JaegerConfigInput): JaegerTraceSource {
  return new JaegerTraceSource(config);
}
