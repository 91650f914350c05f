/**
 * LogSource over Elasticsearch with the official 8.x client: supports Elasticsearch 8.x servers only
 * (the client sends `compatible-with=8` and checks the `X-Elastic-Product` header; 7.x and 9.x are refused).
 */

import type { estypes } from '@elastic/elasticsearch';
import { Client, errors } from '@elastic/elasticsearch';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { LogLine } from '../../domain/evidence/telemetry.js';
import { parseAdapterConfig } from '../../domain/parse-config.js';
import type { LogQuery, LogResult, LogSource } from '../../ports/log-source.js';
import {
  type ElasticsearchConfig,
  type ElasticsearchConfigInput,
  type ElasticsearchFields,
  elasticsearchConfigSchema,
  errorLevels,
  maxPageSize,
} from './config.js';

/** Elasticsearch can't be asked (unreachable, timed out, 5xx, not Elasticsearch 8, malformed answer). */
export class ElasticsearchUnavailableError extends MedicError {
  constructor(url: string, message: string, options?: ErrorOptions) {
    super(ErrorCodes.upstreamUnavailable, message, { source: 'elasticsearch', url }, options);
    this.name = 'ElasticsearchUnavailableError';
  }
}

const searchResponseSchema = z.object({
  hits: z.object({
    total: z.union([z.number(), z.object({ value: z.number() })]).optional(),
    hits: z.array(z.object({ _source: z.unknown().optional() })),
  }),
});

type Query = estypes.QueryDslQueryContainer;

export class ElasticsearchLogSource implements LogSource {
  readonly config: ElasticsearchConfig;
  readonly #client: Client;
  readonly #where: string;
  readonly #ownsClient: boolean;

  /** `client` is for tests (e.g. one built on @elastic/elasticsearch-mock); it must be 8.x. */
  constructor(config: ElasticsearchConfigInput, client?: Client) {
    const parsed = parseAdapterConfig(elasticsearchConfigSchema, config, ['elasticsearch']);
    this.config = parsed;
    this.#where = `Elasticsearch at ${new URL(parsed.url).origin}`;
    this.#ownsClient = client === undefined;
    this.#client =
      client ??
      new Client({
        node: parsed.url,
        requestTimeout: parsed.timeoutMs,
        maxRetries: 1,
        ...(parsed.apiKey === undefined ? {} : { auth: { apiKey: parsed.apiKey } }),
      });
  }

  /** The bool query of a search before level filtering (for logs and tests). */
  baseQuery(query: LogQuery): Query[] {
    const f = this.config.fields;
    const start = query.start.getTime();
    const end = query.end.getTime();
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
      throw new MedicError(ErrorCodes.badRequest, 'invalid log window: end before start', {});
    }
    const filter: Query[] = [
      {
        range: {
          [f.timestamp]: {
            gte: query.start.toISOString(),
            lte: query.end.toISOString(),
            format: 'strict_date_optional_time',
          },
        },
      },
    ];
    if (query.namespace !== undefined) filter.push({ term: { [f.namespace]: query.namespace } });
    if (query.pods !== undefined && query.pods.length > 0) filter.push({ terms: { [f.pod]: query.pods } });
    else if (query.podPrefix !== undefined && query.podPrefix !== '') {
      filter.push({ prefix: { [f.pod]: query.podPrefix } });
    }
    if (query.container !== undefined) filter.push({ term: { [f.container]: query.container } });
    return filter;
  }

  async search(query: LogQuery): Promise<LogResult> {
    const filter = this.baseQuery(query);
    const limit = Math.max(0, Math.min(Math.floor(query.limit), maxPageSize));
    const wanted = query.levels?.map((level) => level.toLowerCase());
    const errorSet: string[] = wanted
      ? wanted.filter((level) => (errorLevels as readonly string[]).includes(level))
      : [...errorLevels];
    const otherSet = wanted?.filter((level) => !(errorLevels as readonly string[]).includes(level));

    const searches: Array<Promise<LogResult>> = [];
    if (errorSet.length > 0) {
      searches.push(this.#search([...filter, this.#levelIn(errorSet)], [], limit, 'error lines'));
    }
    if (otherSet === undefined) {
      searches.push(this.#search(filter, [this.#levelIn(errorLevels)], limit, 'other lines'));
    } else if (otherSet.length > 0) {
      searches.push(this.#search([...filter, this.#levelIn(otherSet)], [], limit, 'other lines'));
    }
    const results = await Promise.all(searches);
    return {
      total: results.reduce((sum, result) => sum + result.total, 0),
      lines: results.flatMap((result) => result.lines).slice(0, limit),
    };
  }

  /** Resolves when the server answers and is Elasticsearch 8.x (for readiness). */
  async ping(): Promise<void> {
    let version: string;
    try {
      version = (await this.#client.info()).version.number;
    } catch (error) {
      throw this.#failure(error, 'ping');
    }
    if (!version.startsWith('8.')) {
      throw new MedicError(
        ErrorCodes.config,
        `${this.#where} runs ${version}; medic supports Elasticsearch 8.x`,
        {
          version,
        },
      );
    }
  }

  /** Closes the client it built (an injected client stays its owner's to close). */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  /** Matches any of `levels` case-insensitively (ECS keyword fields keep the producer's casing). */
  #levelIn(levels: readonly string[]): Query {
    const field = this.config.fields.level;
    return {
      bool: {
        should: levels.map((value) => ({ term: { [field]: { value, case_insensitive: true } } })),
        minimum_should_match: 1,
      },
    };
  }

  async #search(filter: Query[], mustNot: Query[], size: number, what: string): Promise<LogResult> {
    const f = this.config.fields;
    let body: unknown;
    try {
      body = await this.#client.search({
        index: this.config.index,
        ignore_unavailable: true,
        allow_no_indices: true,
        query: { bool: { filter, ...(mustNot.length > 0 ? { must_not: mustNot } : {}) } },
        sort: [{ [f.timestamp]: { order: 'desc', unmapped_type: 'date' } }],
        size,
        track_total_hits: true,
        _source: [f.timestamp, f.message, f.level, f.namespace, f.pod, f.container, f.service],
      });
    } catch (error) {
      throw this.#failure(error, `the log search (${what})`);
    }
    const parsed = searchResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ElasticsearchUnavailableError(
        this.config.url,
        `${this.#where} answered the log search (${what}) with something that is not a search response`,
      );
    }
    const { total, hits } = parsed.data.hits;
    const lines = hits.map((hit) => toLine(hit._source, f));
    return {
      total: total === undefined ? lines.length : typeof total === 'number' ? total : total.value,
      lines,
    };
  }

  #failure(error: unknown, what: string): MedicError {
    if (error instanceof errors.ResponseError) {
      const status = error.statusCode ?? 0;
      const reason = reasonOf(error.body) ?? String(error.message).slice(0, 200);
      if (status === 400) {
        return new MedicError(ErrorCodes.badRequest, `${this.#where} rejected ${what}: ${reason}`, {
          source: 'elasticsearch',
        });
      }
      const auth = status === 401 || status === 403 ? ' (check elasticsearch.apiKey)' : '';
      return new ElasticsearchUnavailableError(
        this.config.url,
        `${this.#where} answered ${what} with HTTP ${status}${auth}: ${reason}`,
        { cause: error },
      );
    }
    let message: string;
    if (error instanceof errors.TimeoutError) {
      message = `${this.#where} did not answer ${what} within ${this.config.timeoutMs} ms`;
    } else if (error instanceof errors.DeserializationError) {
      message = `${this.#where} answered ${what} with something that is not JSON`;
    } else if (error instanceof errors.ProductNotSupportedError) {
      message = `${this.#where} is not Elasticsearch 8.x (${what})`;
    } else if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
      message = `${this.#where} is unreachable (${what}): ${error.message}`;
    } else {
      message = `${this.#where} failed ${what}: ${error instanceof Error ? error.message : String(error)}`;
    }
    return new ElasticsearchUnavailableError(this.config.url, message, { cause: error });
  }
}

/** Factory for main/: config → LogSource. */
export function createElasticsearchLogSource(config: ElasticsearchConfigInput): ElasticsearchLogSource {
  return new ElasticsearchLogSource(config);
}

function reasonOf(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof error === 'string') return error;
  const typed = error as { reason?: unknown; root_cause?: Array<{ reason?: unknown }> } | undefined;
  const reason = typed?.root_cause?.[0]?.reason ?? typed?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** A source field by dotted name, whether the document nests it (`{a: {b: 1}}`), dots it (`{'a.b': 1}`) or mixes both. */
export function readField(source: unknown, path: string): unknown {
  if (Array.isArray(source)) return readField(source[0], path);
  if (source === null || typeof source !== 'object') return undefined;
  const object = source as Record<string, unknown>;
  if (Object.hasOwn(object, path)) return object[path];
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(object, head)) {
      const value = readField(object[head], path.slice(dot + 1));
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

function text(value: unknown): string | null {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function toLine(source: unknown, f: ElasticsearchFields): LogLine {
  const rawTime = readField(source, f.timestamp);
  const timestamp =
    typeof rawTime === 'number' && Number.isFinite(rawTime)
      ? new Date(rawTime).toISOString()
      : (text(rawTime) ?? '');
  return {
    timestamp,
    message: text(readField(source, f.message)) ?? '',
    level: text(readField(source, f.level))?.toLowerCase() ?? null,
    namespace: text(readField(source, f.namespace)),
    pod: text(readField(source, f.pod)),
    container: text(readField(source, f.container)),
    service: text(readField(source, f.service)),
  };
}
