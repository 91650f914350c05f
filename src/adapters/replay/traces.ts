import type { Span } from '../../domain/evidence/telemetry.js';
import type { TraceQuery, TraceSource } from '../../ports/trace-source.js';

/** `only: 'slow'` without `minDurationMs` uses this threshold. */
export const defaultSlowMs = 1000;

interface Trace {
  id: string;
  spans: Span[];
  /** Earliest span start, ms. */
  startMs: number;
}

function roots(trace: Trace): Span[] {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  return trace.spans.filter((s) => s.parentSpanId === null || !ids.has(s.parentSpanId));
}

/**
 * TraceSource over a case's traces.jsonl. A trace matches when one of its spans belongs to a
 * requested service and starts within the window (inclusive); `only: 'error'` keeps traces with an
 * error span, `only: 'slow'` traces whose root (a span without a parent in the trace) lasted longer
 * than `minDurationMs`. The newest `limit` traces are returned, every span of each, in start order.
 */
export class ReplayTraceSource implements TraceSource {
  private readonly traces: Trace[];

  constructor(spans: readonly Span[]) {
    const byTrace = new Map<string, Span[]>();
    for (const span of spans) {
      const list = byTrace.get(span.traceId) ?? [];
      list.push(span);
      byTrace.set(span.traceId, list);
    }
    this.traces = [...byTrace].map(([id, list]) => {
      const sorted = [...list].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      return { id, spans: sorted, startMs: Date.parse(sorted[0]?.start ?? '') };
    });
  }

  async spans(query: TraceQuery): Promise<Span[]> {
    const services = new Set(query.services);
    const start = query.start.getTime();
    const end = query.end.getTime();
    const slowMs = query.minDurationMs ?? defaultSlowMs;
    const selected = this.traces.filter((trace) => {
      const inScope = trace.spans.some((s) => {
        const at = Date.parse(s.start);
        return services.has(s.service) && at >= start && at <= end;
      });
      if (!inScope) return false;
      if (query.only === 'error') return trace.spans.some((s) => s.status === 'error');
      if (query.only === 'slow') return roots(trace).some((s) => s.durationMs > slowMs);
      return true;
    });
    selected.sort((a, b) => b.startMs - a.startMs || a.id.localeCompare(b.id));
    return selected
      .slice(0, Math.max(0, query.limit))
      .flatMap((trace) => trace.spans.map((s) => ({ ...s, attributes: { ...s.attributes } })));
  }
}
