/** The JSON-over-HTTP plumbing the trace adapters share (timeouts, clear errors, bounded concurrency). */
import { TraceBackendUnavailableError } from './spans.js';

export interface GetJsonOptions {
  /** e.g. 'Tempo at http://tempo:3200' */
  where: string;
  /** e.g. 'the trace search' */
  what: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Statuses answered with null instead of an error (e.g. 404 for a trace gone since the search). */
  nullOn?: readonly number[];
}

/** GETs `url` and parses JSON; transport failures, timeouts, non-2xx and non-JSON reject as unavailable. */
export async function getJson(url: URL, options: GetJsonOptions): Promise<unknown> {
  const { where, what } = options;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Accept: 'application/json', ...(options.headers ?? {}) },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    const message =
      name === 'TimeoutError' || name === 'AbortError'
        ? `${where} did not answer ${what} within ${options.timeoutMs} ms`
        : `${where} is unreachable (${what}): ${causeOf(error)}`;
    throw new TraceBackendUnavailableError(url.origin, message, { cause: error });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new TraceBackendUnavailableError(url.origin, `${where} broke off its answer to ${what}`, {
      cause: error,
    });
  }
  if (options.nullOn?.includes(response.status)) return null;
  if (!response.ok) {
    const snippet = text.slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new TraceBackendUnavailableError(
      url.origin,
      `${where} answered ${what} with HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TraceBackendUnavailableError(
      url.origin,
      `${where} answered ${what} with something that is not JSON`,
      {
        cause: error,
      },
    );
  }
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** A base URL with a trailing slash, so relative API paths keep any path prefix (e.g. behind a proxy). */
export function baseUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function validWindow(start: Date, end: Date): boolean {
  const from = start.getTime();
  const to = end.getTime();
  return Number.isFinite(from) && Number.isFinite(to) && to >= from;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return error instanceof Error ? error.message : String(error);
}
