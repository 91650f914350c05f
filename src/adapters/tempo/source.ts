/** TraceSource over Grafana Tempo's HTTP API (2.x): TraceQL search, then each trace by id as OTLP JSON. */
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Span } from '../../domain/evidence/telemetry.js';
import { parseAdapterConfig } from '../../domain/parse-config.js';
import type { TraceQuery, TraceSource } from '../../ports/trace-source.js';
import { baseUrl, getJson, mapLimit, validWindow } from '../otel/http.js';
import { dedupeSpans, spansFromOtlp, TraceBackendUnavailableError } from '../otel/spans.js';

export const tempoConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.int().positive().default(10_000),
  /** Sent with every request (Authorization, X-Scope-OrgID for multi-tenant Tempo, …). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Traces fetched in parallel after a search. */
  concurrency: z.int().positive().max(32).default(4),
  /** The span duration `only: 'slow'` means when the query names none. */
  defaultSlowMs: z.int().positive().default(500),
});

export type TempoConfig = z.output<typeof tempoConfigSchema>;
export type TempoConfigInput = z.input<typeof tempoConfigSchema>;

const searchSchema = z.object({
  traces: z.array(z.object({ traceID: z.string().min(1) }).loose()).nullish(),
});

/** A TraceQL double-quoted string literal holding `value`. */
function literal(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes RE2 metacharacters so a service name matches itself inside `=~`. */
function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** The TraceQL of a query, e.g. `{ resource.service.name =~ "a|b" && status = error }`. */
export function traceQl(query: TraceQuery, defaultSlowMs = 500): string {
  const conditions: string[] = [];
  const services = [...new Set(query.services)];
  if (services.length === 1) conditions.push(`resource.service.name = ${literal(services[0] ?? '')}`);
  else if (services.length > 1)
    conditions.push(`resource.service.name =~ ${literal(services.map(escapeRegex).join('|'))}`);
  if (query.only === 'error') conditions.push('status = error');
  if (query.only === 'slow')
    conditions.push(`duration > ${Math.max(0, Math.round(query.minDurationMs ?? defaultSlowMs))}ms`);
  return conditions.length > 0 ? `{ ${conditions.join(' && ')} }` : '{ }';
}

export class TempoTraceSource implements TraceSource {
  readonly config: TempoConfig;
  readonly #base: string;
  readonly #where: string;

  constructor(config: TempoConfigInput) {
    const parsed = parseAdapterConfig(tempoConfigSchema, config, ['traces', 'tempo']);
    this.config = parsed;
    this.#base = baseUrl(parsed.url);
    this.#where = `Tempo at ${this.#base}`;
  }

  async spans(query: TraceQuery): Promise<Span[]> {
    if (!validWindow(query.start, query.end)) {
      throw new MedicError(ErrorCodes.badRequest, 'invalid trace window: end before start', {});
    }
    const limit = Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    const q = traceQl(query, this.config.defaultSlowMs);
    const search = await this.#get('api/search', 'the trace search', {
      q,
      start: String(Math.floor(query.start.getTime() / 1000)),
      end: String(Math.ceil(query.end.getTime() / 1000)),
      limit: String(limit),
    });
    const parsed = searchSchema.safeParse(search);
    if (!parsed.success) {
      throw new TraceBackendUnavailableError(
        this.#base,
        `${this.#where} answered the trace search with an unexpected shape`,
      );
    }
    const ids = [...new Set((parsed.data.traces ?? []).map((trace) => trace.traceID))].slice(0, limit);
    const traces = await mapLimit(ids, this.config.concurrency, async (id) => {
      const document = await this.#get(`api/traces/${encodeURIComponent(id)}`, `trace ${id}`, {}, [404]);
      return document === null ? [] : spansFromOtlp(document);
    });
    return dedupeSpans(traces.flat());
  }

  /** Resolves when Tempo answers its build-info endpoint (for readiness). */
  async ping(): Promise<void> {
    await this.#get('api/status/buildinfo', 'ping', {});
  }

  async #get(
    path: string,
    what: string,
    params: Record<string, string>,
    nullOn?: number[],
  ): Promise<unknown> {
    const url = new URL(path, this.#base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return getJson(url, {
      where: this.#where,
      what,
      timeoutMs: this.config.timeoutMs,
      ...(this.config.headers ? { headers: this.config.headers } : {}),
      ...(nullOn ? { nullOn } : {}),
    });
  }
}

/** Factory for main/: config → TraceSource. */
export function createTempoTraceSource(config: TempoConfigInput): TempoTraceSource {
  return new TempoTraceSource(config);
}
