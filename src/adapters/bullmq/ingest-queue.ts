import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Alert } from '../../domain/alert.js';
import type { AdmitOptions, AdmitOutcome, IngestQueue } from '../../ports/ingest-queue.js';
import type { RedisSettings } from './connection.js';
import { stageQueues } from './stages.js';

export interface JobPolicy {
  attempts: number;
  backoffMs: number;
  backoffJitter: number;
  keepCompleted: number;
}

// One atomic step per flush: for each alert, has it been admitted before, and which incident does its
// correlation key point to? A firing alert with no live mapping claims the candidate id (sliding window).
const admitScript = `
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local out = {}
for i = 1, n do
  local seen = redis.call('EXISTS', KEYS[i])
  local corr = KEYS[n + i]
  local id = redis.call('GET', corr)
  if seen == 0 and ARGV[2 + i] == 'firing' then
    if id then
      redis.call('PEXPIRE', corr, window)
    else
      id = ARGV[2 + n + i]
      redis.call('SET', corr, id, 'PX', window)
    end
  end
  out[2 * i - 1] = seen
  out[2 * i] = id or ''
end
return out
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type AdmitCommand = (...args: Array<string | number>) => Promise<Array<number | string>>;

export class BullmqIngestQueue implements IngestQueue {
  readonly queue: Queue;
  private readonly admitCommand: AdmitCommand;
  private readonly releaseCommand: (key: string, id: string) => Promise<number>;

  constructor(
    private readonly redis: Redis,
    private readonly settings: RedisSettings,
    private readonly jobs: JobPolicy,
  ) {
    this.queue = new Queue(stageQueues.correlate, { connection: redis, prefix: settings.prefix });
    redis.defineCommand('medicAdmit', { lua: admitScript });
    redis.defineCommand('medicRelease', { numberOfKeys: 1, lua: releaseScript });
    const commands = redis as unknown as Record<
      string,
      (...args: Array<string | number>) => Promise<unknown>
    >;
    this.admitCommand = commands['medicAdmit']?.bind(redis) as AdmitCommand;
    this.releaseCommand = commands['medicRelease']?.bind(redis) as (
      key: string,
      id: string,
    ) => Promise<number>;
  }

  private seenKey(alert: Alert): string {
    return `${this.settings.prefix}:ingest:seen:${alert.key}`;
  }

  private correlationKey(key: string): string {
    return `${this.settings.prefix}:ingest:corr:${key}`;
  }

  async admit(alerts: readonly Alert[], options: AdmitOptions): Promise<AdmitOutcome[]> {
    if (alerts.length === 0) return [];
    const n = alerts.length;
    const keys = [
      ...alerts.map((alert) => this.seenKey(alert)),
      ...alerts.map((a) => this.correlationKey(a.correlationKey)),
    ];
    const args = [
      n,
      options.correlationWindowMs,
      ...alerts.map((alert) => alert.status),
      ...alerts.map(() => options.newIncidentId()),
    ];
    const reply = await this.admitCommand(2 * n, ...keys, ...args);
    const outcomes: AdmitOutcome[] = alerts.map((alert, i) => {
      const id = String(reply[2 * i + 1] ?? '');
      return { alert, incidentId: id === '' ? null : id, duplicate: Number(reply[2 * i]) === 1 };
    });
    const fresh = outcomes.filter((outcome) => !outcome.duplicate);
    if (fresh.length === 0) return outcomes;
    await this.queue.add(
      'alerts',
      { admissions: fresh.map(({ alert, incidentId }) => ({ alert, incidentId })) },
      {
        attempts: this.jobs.attempts,
        backoff: { type: 'exponential', delay: this.jobs.backoffMs, jitter: this.jobs.backoffJitter },
        removeOnComplete: { count: this.jobs.keepCompleted },
        removeOnFail: false,
      },
    );
    // Marked only after the job is stored, and not awaited: the mark only saves work. If it is lost or
    // late, a resend is admitted again and correlate's receipts drop the second copy.
    const marks = this.redis.pipeline();
    for (const outcome of fresh) marks.set(this.seenKey(outcome.alert), '1', 'PX', options.dedupeTtlMs);
    marks.exec().catch(() => undefined);
    return outcomes;
  }

  async backlog(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
    return (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['delayed'] ?? 0);
  }

  async release(correlationKey: string, incidentId: string): Promise<void> {
    await this.releaseCommand(this.correlationKey(correlationKey), incidentId);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
