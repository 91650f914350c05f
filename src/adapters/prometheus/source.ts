import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { Series, SignalName, SignalTarget } from '../../domain/evidence/signals.js';
import { parseAdapterConfig } from '../../domain/parse-config.js';
import type { MetricsSource, RangeWindow } from '../../ports/metrics-source.js';
import {
  defaultTemplates,
  type PrometheusConfig,
  type PrometheusConfigInput,
  prometheusConfigSchema,
  renderTemplate,
} from './catalog.js';

/** Series.signal of the results of `expression()`. */
export const expressionSignal = 'expression';

/** Prometheus can't be asked (unreachable, timed out, 5xx, malformed answer): the source is unavailable. */
export class PrometheusUnavailableError extends MedicError {
  readonly url: string;
  constructor(url: string, message: string, options?: ErrorOptions) {
    super(ErrorCodes.upstreamUnavailable, message, { url }, options);
    this.name = 'PrometheusUnavailableError';
    this.url = url;
  }
}

/** Prometheus refuses more than 11,000 points per series. */
const maxPoints = 11_000;

const envelopeSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

const matrixSchema = z.object({
  resultType: z.literal('matrix'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      values: z.array(z.tuple([z.number(), z.string()])).optional(),
    }),
  ),
});

/** Errors Prometheus reports for the query itself (bad_data: parse errors; execution: e.g. many-to-many). */
const queryErrorTypes = new Set(['bad_data', 'execution']);

/**
 * The PromQL of an Alertmanager alert's generatorURL (`…/graph?g0.expr=…&g0.tab=1`), decoded;
 * null when the URL carries none.
 */
export function alertExpression(generatorURL: string): string | null {
  let url: URL;
  try {
    url = new URL(generatorURL, 'http://generator.invalid/');
  } catch {
    return null;
  }
  const expr = url.searchParams.get('g0.expr')?.trim();
  return expr ? expr : null;
}

const SIGNAL_LABEL = 'medic_signal';

/** MetricsSource over the Prometheus HTTP API (query_range; any Prometheus-compatible server). */
export class PrometheusSource implements MetricsSource {
  readonly config: PrometheusConfig;
  readonly #templates: Record<SignalName, string>;
  readonly #base: string;

  constructor(config: PrometheusConfigInput) {
    const parsed = parseAdapterConfig(prometheusConfigSchema, config, ['prometheus']);
    this.config = parsed;
    this.#templates = { ...defaultTemplates, ...(parsed.signals ?? {}) };
    this.#base = parsed.url.endsWith('/') ? parsed.url : `${parsed.url}/`;
  }

  /** The PromQL a signal runs for a target (for logs and the evidence trail). */
  query(name: SignalName, target: SignalTarget): string {
    const template = this.#templates[name];
    if (template === undefined) {
      throw new MedicError(ErrorCodes.badRequest, `no PromQL template for signal ${name}`, { signal: name });
    }
    return renderTemplate(template, target, this.config);
  }

  /**
   * All signals in one range query: each is tagged with label_replace and the parts are joined with
   * `or`, so an incident costs Prometheus one request instead of twenty. If the combined query is
   * refused (a bad override), each signal is queried alone so that the error names the culprit.
   */
  async signals(names: readonly SignalName[], target: SignalTarget, window: RangeWindow): Promise<Series[]> {
    const unique = [...new Set(names)];
    const queries = unique.map((name) => ({ name, promql: this.query(name, target) }));
    if (queries.length === 0) return [];
    const combined = queries
      .map(({ name, promql }) => `label_replace((${promql}), "${SIGNAL_LABEL}", "${name}", "", "")`)
      .join(' or ');
    let tagged: Series[];
    try {
      tagged = await this.#range(combined, window, 'combined', `${queries.length} signals`);
    } catch (error) {
      if (!(error instanceof MedicError) || error.code !== ErrorCodes.badRequest) throw error;
      const results = await Promise.all(
        queries.map(({ name, promql }) => this.#range(promql, window, name, `signal ${name}`)),
      );
      return results.flat();
    }
    return tagged.map((series) => {
      const { [SIGNAL_LABEL]: signal, ...labels } = series.labels;
      return { ...series, signal: signal ?? 'unknown', labels };
    });
  }

  async expression(promql: string, window: RangeWindow): Promise<Series[]> {
    if (promql.trim() === '') throw new MedicError(ErrorCodes.badRequest, 'empty PromQL expression');
    return this.#range(promql, window, expressionSignal, 'the alert expression');
  }

  /** Resolves when Prometheus answers an instant query (for readiness). */
  async ping(): Promise<void> {
    await this.#get('api/v1/query', { query: 'vector(1)' }, 'ping');
  }

  async #range(promql: string, window: RangeWindow, signal: string, what: string): Promise<Series[]> {
    const startMs = window.start.getTime();
    const endMs = window.end.getTime();
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) {
      throw new MedicError(ErrorCodes.badRequest, `invalid window for ${what}: end before start`, { signal });
    }
    if (!(window.stepSeconds > 0)) {
      throw new MedicError(ErrorCodes.badRequest, `invalid window for ${what}: step must be positive`, {
        signal,
      });
    }
    const step = Math.max(window.stepSeconds, Math.ceil((endMs - startMs) / 1000 / (maxPoints - 1)));
    const data = await this.#get(
      'api/v1/query_range',
      { query: promql, start: String(startMs / 1000), end: String(endMs / 1000), step: String(step) },
      what,
      signal,
    );
    const matrix = matrixSchema.safeParse(data);
    if (!matrix.success) {
      throw new PrometheusUnavailableError(
        this.#base,
        `Prometheus answered ${what} with an unexpected result shape`,
      );
    }
    const series: Series[] = [];
    for (const item of matrix.data.result) {
      const points: Array<[number, number]> = [];
      for (const [seconds, raw] of item.values ?? []) {
        const value = Number(raw);
        if (Number.isFinite(value)) points.push([Math.round(seconds * 1000), value]);
      }
      if (points.length > 0) series.push({ signal, labels: item.metric, points });
    }
    return series;
  }

  async #get(path: string, params: Record<string, string>, what: string, signal?: string): Promise<unknown> {
    const url = new URL(path, this.#base);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const where = `Prometheus at ${this.#base}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Accept: 'application/json', ...(this.config.headers ?? {}) },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      const message =
        name === 'TimeoutError' || name === 'AbortError'
          ? `${where} did not answer ${what} within ${this.config.timeoutMs} ms`
          : `${where} is unreachable (${what}): ${causeOf(error)}`;
      throw new PrometheusUnavailableError(this.#base, message, { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new PrometheusUnavailableError(this.#base, `${where} broke off its answer to ${what}`, {
        cause: error,
      });
    }
    let envelope: z.infer<typeof envelopeSchema> | undefined;
    try {
      const parsed = envelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) envelope = parsed.data;
    } catch {
      envelope = undefined;
    }
    if (envelope?.status === 'error') {
      const errorType = envelope.errorType ?? 'unknown';
      const detail = envelope.error ?? 'no message';
      if (queryErrorTypes.has(errorType)) {
        const details = { signal, errorType, query: params['query'] };
        throw new MedicError(
          ErrorCodes.badRequest,
          `Prometheus rejected the query for ${what}: ${detail}`,
          details,
        );
      }
      throw new PrometheusUnavailableError(this.#base, `${where} failed ${what} (${errorType}): ${detail}`);
    }
    if (response.status !== 200) {
      const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
      throw new PrometheusUnavailableError(
        this.#base,
        `${where} answered ${what} with HTTP ${response.status}: ${snippet}`,
      );
    }
    if (envelope === undefined) {
      throw new PrometheusUnavailableError(
        this.#base,
        `${where} answered ${what} with something that is not its JSON API`,
      );
    }
    return envelope.data;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return error instanceof Error ? error.message : String(error);
}
