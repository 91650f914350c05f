import type { Span } from './telemetry.js';

export interface OperationSummary {
  service: string;
  operation: string;
  requests: number;
  ratePerSecond: number;
  errorRatio: number;
  p99Ms: number;
}

export interface DependencyEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
}

export interface ErrorOrigin {
  service: string;
  operation: string;
  /** Error spans of this operation that have no erroring child: where errors start, not where they surface. */
  errors: number;
}

export interface TraceSummary {
  spans: number;
  traces: number;
  operations: OperationSummary[];
  edges: DependencyEdge[];
  errorOrigins: ErrorOrigin[];
}

function statusCode(span: Span): number | null {
  const value = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
  const code = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(code) ? code : null;
}

export function isErrorSpan(span: Span): boolean {
  if (span.status === 'error') return true;
  const code = statusCode(span);
  // A client span's 4xx is the caller's mistake; only a server error marks the callee as failing.
  return code !== null && code >= 500;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

/** Per-operation RED figures, service-to-service edges and where errors originate. */
export function summariseTraces(spans: readonly Span[], windowSeconds: number): TraceSummary {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const errorChildren = new Set<string>();
  for (const span of spans) {
    if (span.parentSpanId && isErrorSpan(span)) errorChildren.add(span.parentSpanId);
  }
  const operations = new Map<
    string,
    { service: string; operation: string; durations: number[]; errors: number }
  >();
  const edges = new Map<string, DependencyEdge>();
  const origins = new Map<string, ErrorOrigin>();
  for (const span of spans) {
    const error = isErrorSpan(span);
    if (span.kind === 'server' || span.kind === 'consumer' || !span.parentSpanId) {
      const key = `${span.service}\u0000${span.name}`;
      const entry = operations.get(key) ?? {
        service: span.service,
        operation: span.name,
        durations: [],
        errors: 0,
      };
      entry.durations.push(span.durationMs);
      if (error) entry.errors += 1;
      operations.set(key, entry);
    }
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    const peer =
      span.attributes['peer.service'] ?? span.attributes['db.system'] ?? span.attributes['server.address'];
    const target =
      span.kind === 'client' && typeof peer === 'string'
        ? peer
        : parent && parent.service !== span.service
          ? span.service
          : null;
    const source = span.kind === 'client' ? span.service : parent?.service;
    if (target && source && target !== source) {
      const key = `${source}\u0000${target}`;
      const edge = edges.get(key) ?? { from: source, to: target, calls: 0, errors: 0 };
      edge.calls += 1;
      if (error) edge.errors += 1;
      edges.set(key, edge);
    }
    if (error && !errorChildren.has(span.spanId)) {
      // A client span whose callee was not traced points at the peer as the origin.
      const service = span.kind === 'client' && typeof peer === 'string' ? peer : span.service;
      const key = `${service}\u0000${span.name}`;
      const origin = origins.get(key) ?? { service, operation: span.name, errors: 0 };
      origin.errors += 1;
      origins.set(key, origin);
    }
  }
  return {
    spans: spans.length,
    traces: new Set(spans.map((span) => span.traceId)).size,
    operations: [...operations.values()]
      .map((entry) => {
        const sorted = [...entry.durations].sort((a, b) => a - b);
        return {
          service: entry.service,
          operation: entry.operation,
          requests: sorted.length,
          ratePerSecond: windowSeconds > 0 ? sorted.length / windowSeconds : 0,
          errorRatio: sorted.length > 0 ? entry.errors / sorted.length : 0,
          p99Ms: percentile(sorted, 99),
        };
      })
      .sort((a, b) => b.errorRatio - a.errorRatio || b.requests - a.requests),
    edges: [...edges.values()].sort((a, b) => b.errors - a.errors || b.calls - a.calls),
    errorOrigins: [...origins.values()].sort((a, b) => b.errors - a.errors),
  };
}
