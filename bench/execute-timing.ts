// Wall time spent inside the cluster calls and sleeps an execution makes, so medic's own time is the rest.
import type { ClusterReader } from '../src/ports/cluster.js';
import type { ClusterWriter } from '../src/ports/cluster-writer.js';

/**
 * Accumulates the wall time during which at least one timed call is in flight (overlapping calls count
 * once), and how many calls there were.
 */
export class Stopwatch {
  private active = 0;
  private since = 0;
  ms = 0;
  calls = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    if (this.active === 0) this.since = performance.now();
    this.active += 1;
    this.calls += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active === 0) this.ms += performance.now() - this.since;
    }
  }

  reset(): void {
    this.ms = 0;
    this.calls = 0;
  }
}

/** The writer with every call timed on `watch`. */
export function timedWriter(inner: ClusterWriter, watch: Stopwatch): ClusterWriter {
  return {
    patch: (ref, type, patch, options) => watch.time(() => inner.patch(ref, type, patch, options)),
    delete: (ref, options) => watch.time(() => inner.delete(ref, options)),
  };
}

/** The reader with every call timed on `watch`. */
export function timedReader(inner: ClusterReader, watch: Stopwatch): ClusterReader {
  return {
    get: (ref) => watch.time(() => inner.get(ref)),
    replicaSets: (namespace, selector) => watch.time(() => inner.replicaSets(namespace, selector)),
    pods: (namespace, selector) => watch.time(() => inner.pods(namespace, selector)),
    events: (namespace, name) => watch.time(() => inner.events(namespace, name)),
    horizontalPodAutoscalers: (namespace) => watch.time(() => inner.horizontalPodAutoscalers(namespace)),
    nodes: () => watch.time(() => inner.nodes()),
    namespaceLimits: (namespace) => watch.time(() => inner.namespaceLimits(namespace)),
    namespace: (name) => watch.time(() => inner.namespace(name)),
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}
