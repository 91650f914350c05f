import type { Span } from '../domain/evidence/telemetry.js';

export interface TraceQuery {
  services: string[];
  start: Date;
  end: Date;
  /** Traces fetched at most. */
  limit: number;
  /** Only traces with an error span, or only traces slower than minDurationMs. */
  only?: 'error' | 'slow';
  minDurationMs?: number;
}

export interface TraceSource {
  /** Every span of each matching trace, so downstream edges and error origins can be followed. */
  spans(query: TraceQuery): Promise<Span[]>;
}
