import type { Alert } from '../domain/alert.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';
import type { AdmitOptions, AdmitOutcome, IngestQueue } from '../ports/ingest-queue.js';

export interface IngestOptions extends AdmitOptions {
  /** Alerts one flush writes at most; more wait for the next flush. */
  maxBatchAlerts: number;
  /** Flushes in flight at once; more overlap Redis round trips, fewer make bigger batches. */
  maxConcurrentFlushes: number;
  /** How long the first waiting alert may wait for others to share its flush (0: same event-loop turn). */
  flushDelayMs: number;
  /** Alerts buffered in this process before ingest refuses new ones. */
  maxPendingAlerts: number;
  /** Correlate jobs waiting in Redis before ingest refuses new alerts. */
  maxBacklog: number;
  backlogRefreshMs: number;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  incidents: string[];
}

interface Pending {
  alerts: Alert[];
  resolve: (outcomes: AdmitOutcome[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the alerts of concurrent webhook requests into one durable queue write. A request is
 * answered only after the write that carried its alerts succeeded, so batching never weakens
 * durability; it only amortises the Redis round trips over many requests.
 */
export class Ingestor {
  private pending: Pending[] = [];
  private pendingAlerts = 0;
  private flushing = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private backlog = 0;
  private backlogTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: IngestQueue,
    private readonly options: IngestOptions,
    private readonly onFlush: (alerts: number) => void = () => {},
  ) {}

  start(): void {
    const refresh = () => {
      this.queue.backlog().then(
        (jobs) => {
          this.backlog = jobs;
        },
        () => {
          // Redis being away shows up on the next write; the stale value is harmless meanwhile.
        },
      );
    };
    refresh();
    this.backlogTimer = setInterval(refresh, this.options.backlogRefreshMs);
    this.backlogTimer.unref();
  }

  stop(): void {
    if (this.backlogTimer) clearInterval(this.backlogTimer);
    this.backlogTimer = null;
  }

  /** Null when there is room; otherwise why there is none. */
  overloaded(): string | null {
    if (this.backlog >= this.options.maxBacklog)
      return `queue backlog ${this.backlog} ≥ ${this.options.maxBacklog} jobs`;
    if (this.pendingAlerts >= this.options.maxPendingAlerts) {
      return `${this.pendingAlerts} alerts waiting to be written ≥ ${this.options.maxPendingAlerts}`;
    }
    return null;
  }

  async ingest(alerts: Alert[]): Promise<IngestResult> {
    const reason = this.overloaded();
    if (reason) throw new MedicError(ErrorCodes.backpressure, `medic is overloaded: ${reason}`);
    const outcomes = await new Promise<AdmitOutcome[]>((resolve, reject) => {
      this.pending.push({ alerts, resolve, reject });
      this.pendingAlerts += alerts.length;
      this.scheduleFlush();
    });
    const incidents = new Set<string>();
    let duplicates = 0;
    for (const outcome of outcomes) {
      if (outcome.duplicate) duplicates += 1;
      if (outcome.incidentId) incidents.add(outcome.incidentId);
    }
    return { accepted: outcomes.length, duplicates, incidents: [...incidents] };
  }

  /** Resolves once every alert handed to `ingest` so far has been written or refused. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Every flush costs a few Redis scripts whatever its size, so waiting a millisecond or two for more
   * requests to join cuts Redis's work per alert several-fold during a storm. A full batch goes at once.
   */
  private scheduleFlush(): void {
    if (this.flushing >= this.options.maxConcurrentFlushes || this.pending.length === 0) return;
    if (this.pendingAlerts >= this.options.maxBatchAlerts || this.options.flushDelayMs === 0) {
      this.startFlush();
      return;
    }
    this.flushTimer ??= setTimeout(() => this.startFlush(), this.options.flushDelayMs);
  }

  private startFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.flushing >= this.options.maxConcurrentFlushes || this.pending.length === 0) return;
    this.flushing += 1;
    // setImmediate lets every request already parsed in this turn of the event loop join the batch.
    setImmediate(() => {
      void this.flushOnce();
    });
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (!next || (batch.length > 0 && count + next.alerts.length > this.options.maxBatchAlerts)) break;
      this.pending.shift();
      batch.push(next);
      count += next.alerts.length;
    }
    return batch;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.takeBatch();
    const alerts = batch.flatMap((entry) => entry.alerts);
    try {
      const outcomes = await this.queue.admit(alerts, this.options);
      this.onFlush(alerts.length);
      let offset = 0;
      for (const entry of batch) {
        entry.resolve(outcomes.slice(offset, offset + entry.alerts.length));
        offset += entry.alerts.length;
      }
    } catch (error) {
      const failure = new MedicError(
        ErrorCodes.queueUnavailable,
        'the queue could not store the alerts; Alertmanager will retry',
        {},
        { cause: error },
      );
      for (const entry of batch) entry.reject(failure);
    } finally {
      this.pendingAlerts -= alerts.length;
      this.flushing -= 1;
      this.scheduleFlush();
    }
  }
}
