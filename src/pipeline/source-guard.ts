import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { SourceName } from '../domain/evidence/bundle.js';

export interface GuardSettings {
  timeoutMs: number;
  /** Tries after the first. */
  retries: number;
  /** Consecutive failures that open the circuit. */
  breakAfter: number;
  /** How long an open circuit refuses calls before letting one through. */
  halfOpenAfterMs: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

/**
 * Timeout per attempt, retry with backoff, and a circuit breaker that outlives any one incident:
 * a source that keeps failing stops costing every incident its full timeout.
 */
export class SourceGuard {
  private readonly breaker;
  private readonly policy;

  constructor(
    readonly source: SourceName,
    settings: GuardSettings,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof BrokenCircuitError)),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breakAfter) },
    );
    this.policy = wrap(
      retry(
        handleWhen((error) => !(error instanceof BrokenCircuitError)),
        {
          maxAttempts: settings.retries,
          backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }),
        },
      ),
      this.breaker,
      timeout(settings.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  get state(): CircuitStateName {
    const names: Record<CircuitState, CircuitStateName> = {
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'isolated',
    };
    return names[this.breaker.state];
  }

  execute<T>(call: () => Promise<T>): Promise<T> {
    return this.policy.execute(() => call());
  }
}

/** A short, human reason for `unavailable: <reason>`. */
export function unavailableReason(error: unknown, timeoutMs: number): string {
  if (error instanceof BrokenCircuitError) return 'circuit open after repeated failures';
  if (error instanceof TaskCancelledError) return `no answer within ${timeoutMs} ms`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 200) ?? 'failed';
}

/** One guard per source, for the life of the process, so circuit state carries across incidents. */
export function createSourceGuards(
  settings: Omit<GuardSettings, 'timeoutMs'> & { timeoutMs: Record<SourceName, number> },
): Record<SourceName, SourceGuard> {
  const guard = (source: SourceName) =>
    new SourceGuard(source, { ...settings, timeoutMs: settings.timeoutMs[source] });
  return {
    metrics: guard('metrics'),
    logs: guard('logs'),
    traces: guard('traces'),
    kubernetes: guard('kubernetes'),
  };
}
