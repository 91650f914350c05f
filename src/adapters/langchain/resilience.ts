import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IPolicy,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';

export interface ResilienceOptions {
  /** Tries per call, the first included. */
  maxAttempts: number;
  /** First backoff delay; doubles (with jitter) per retry. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failed calls (after retries) that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before one trial call. */
  halfOpenAfterMs: number;
}

export const defaultResilience: ResilienceOptions = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
};

/** Marks a per-call timeout, so it is retried like a network error but reported as a timeout. */
export class CallTimeoutError extends Error {
  constructor(ms: number) {
    super(`model call timed out after ${ms} ms`);
    this.name = 'CallTimeoutError';
  }
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** 429, 5xx, timeouts and connection failures are worth another try; 4xx and bad answers are not. */
export function isTransient(error: unknown): boolean {
  if (error instanceof CallTimeoutError) return true;
  const status = statusOf(error);
  if (status !== null) return status === 429 || status === 408 || status >= 500;
  const name = (error as Error | null)?.name ?? '';
  if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError' || name === 'TimeoutError')
    return true;
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** Retry-After (seconds or an HTTP date) from an error's response headers, in ms; null when absent. */
export function retryAfterMs(error: unknown, now: () => number = Date.now): number | null {
  const headers = (error as { headers?: unknown } | null)?.headers;
  let value: string | null | undefined;
  if (headers && typeof (headers as Headers).get === 'function')
    value = (headers as Headers).get('retry-after');
  else if (headers && typeof headers === 'object') value = (headers as Record<string, string>)['retry-after'];
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now());
}

/** Retries transient failures (honouring Retry-After up to maxDelayMs), inside a breaker shared by every call. */
export function createModelPolicy(options: ResilienceOptions): IPolicy {
  const exponential = new ExponentialBackoff<unknown>({
    initialDelay: options.initialDelayMs,
    maxDelay: options.maxDelayMs,
  });
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown>>((context, state) => {
    const next = state ? state.next(context) : exponential.next();
    const error = 'error' in context.result ? context.result.error : null;
    const hinted = retryAfterMs(error);
    return { delay: hinted !== null ? Math.min(hinted, options.maxDelayMs) : next.duration, state: next };
  });
  const retries = retry(handleWhen(isTransient), { maxAttempts: options.maxAttempts - 1, backoff });
  const breaker = circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  return wrap(breaker, retries);
}

export function isBreakerOpen(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}
