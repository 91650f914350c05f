import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Alert } from '../../domain/alert.js';
import type { AdmitOptions, AdmitOutcome, IngestQueue } from '../../ports/ingest-queue.js';
import type { RedisSettings } from './connection.js';
import { encodePayload } from './payload-codec.js';
import { stageQueues } from './stages.js';

export interface JobPolicy {
  attempts: number;
  backoffMs: number;
  backoffJitter: number;
  keepCompleted: number;
}

/** Retries with exponential backoff and jitter; failed jobs are kept as the dead-letter set. */
export function jobOptions(jobs: JobPolicy) {
  return {
    attempts: jobs.attempts,
    backoff: { type: 'exponential', delay: jobs.backoffMs, jitter: jobs.backoffJitter },
    removeOnComplete: { count: jobs.keepCompleted },
    removeOnFail: false,
  };
}

// One atomic step per flush: for each alert, has it been admitted before, and which incident does its
// correlation key point to? A correlation key with a new firing alert and no live mapping claims its
// candidate id; an existing mapping is extended (a sliding window).
// Admitted alert keys live in Redis sets, one per dedupe period, and an alert counts as seen if it is in
// the current or the previous period's set. One SMISMEMBER per set replaces a key per alert: at a
// thousand alerts a flush, per-key commands were most of Redis's time.
// Lists travel as one newline-joined argument each, because per-argument encoding in the client was
// the other big cost. Key names are built here from the prefix: medic's Redis must be a single node
// (BullMQ's multi-key scripts need that or hash tags anyway).
const admitScript = `
local prefix, window, bucket = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local function split(text)
  local out = {}
  for item in string.gmatch(text, '[^\\n]+') do out[#out + 1] = item end
  return out
end
local alertKeys, corrIndex, corrKeys, candidates = split(ARGV[4]), split(ARGV[6]), split(ARGV[7]), split(ARGV[8])
local statuses = ARGV[5]
local seen, wanted = {}, {}
for i = 1, #alertKeys do seen[i] = 0 end
for _, b in ipairs({bucket, bucket - 1}) do
  local set = prefix .. ':ingest:seen:' .. b
  for from = 1, #alertKeys, 500 do
    local to = math.min(from + 499, #alertKeys)
    local found = redis.call('SMISMEMBER', set, unpack(alertKeys, from, to))
    for k = 1, #found do
      if found[k] == 1 then seen[from + k - 1] = 1 end
    end
  end
end
for i = 1, #alertKeys do
  if seen[i] == 0 and string.sub(statuses, i, i) == 'f' then wanted[tonumber(corrIndex[i])] = true end
end
local ids = {}
for j = 1, #corrKeys do
  local key = prefix .. ':ingest:corr:' .. corrKeys[j]
  local id = redis.call('GET', key)
  if wanted[j] then
    if id then
      redis.call('PEXPIRE', key, window)
    else
      id = candidates[j]
      redis.call('SET', key, id, 'PX', window)
    end
  end
  ids[j] = id or ''
end
return {table.concat(seen, ''), table.concat(ids, '\\n')}
`;

const markScript = `
local set, ttl = ARGV[1], ARGV[2]
local keys = {}
for key in string.gmatch(ARGV[3], '[^\\n]+') do keys[#keys + 1] = key end
for from = 1, #keys, 500 do
  redis.call('SADD', set, unpack(keys, from, math.min(from + 499, #keys)))
end
redis.call('PEXPIRE', set, ttl)
return 0
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type ScriptCommand<R> = (...args: Array<string | number>) => Promise<R>;

export class BullmqIngestQueue implements IngestQueue {
  readonly queue: Queue;
  private readonly admitCommand: ScriptCommand<[string, string]>;
  private readonly markCommand: ScriptCommand<number>;
  private readonly releaseCommand: ScriptCommand<number>;

  constructor(
    redis: Redis,
    private readonly settings: RedisSettings,
    private readonly jobs: JobPolicy,
  ) {
    // Defaults as well as per-add options: a job added by hand (or by an older medic) gets the same retries.
    this.queue = new Queue(stageQueues.correlate, {
      connection: redis,
      prefix: settings.prefix,
      defaultJobOptions: jobOptions(jobs),
    });
    redis.defineCommand('medicAdmit', { numberOfKeys: 0, lua: admitScript });
    redis.defineCommand('medicMark', { numberOfKeys: 0, lua: markScript });
    redis.defineCommand('medicRelease', { numberOfKeys: 1, lua: releaseScript });
    const commands = redis as unknown as Record<
      string,
      (...args: Array<string | number>) => Promise<unknown>
    >;
    const bind = <R>(name: string) => commands[name]?.bind(redis) as ScriptCommand<R>;
    this.admitCommand = bind('medicAdmit');
    this.markCommand = bind('medicMark');
    this.releaseCommand = bind('medicRelease');
  }

  private correlationKey(key: string): string {
    return `${this.settings.prefix}:ingest:corr:${key}`;
  }

  async admit(alerts: readonly Alert[], options: AdmitOptions): Promise<AdmitOutcome[]> {
    if (alerts.length === 0) return [];
    const corrKeys: string[] = [];
    const corrIndex = new Map<string, number>();
    const alertCorr = alerts.map((alert) => {
      let index = corrIndex.get(alert.correlationKey);
      if (index === undefined) {
        index = corrKeys.push(alert.correlationKey);
        corrIndex.set(alert.correlationKey, index);
      }
      return index;
    });
    const bucket = Math.floor(Date.now() / options.dedupeTtlMs);
    const [seen, ids] = await this.admitCommand(
      this.settings.prefix,
      options.correlationWindowMs,
      bucket,
      alerts.map((alert) => alert.key).join('\n'),
      alerts.map((alert) => (alert.status === 'firing' ? 'f' : 'r')).join(''),
      alertCorr.join('\n'),
      corrKeys.join('\n'),
      corrKeys.map(() => options.newIncidentId()).join('\n'),
    );
    const incidentIds = ids.split('\n');
    const outcomes: AdmitOutcome[] = alerts.map((alert, i) => {
      const id = incidentIds[(alertCorr[i] ?? 1) - 1] ?? '';
      return { alert, incidentId: id === '' ? null : id, duplicate: seen[i] === '1' };
    });
    const fresh = outcomes.filter((outcome) => !outcome.duplicate);
    if (fresh.length === 0) return outcomes;
    await this.queue.add(
      'alerts',
      encodePayload({ admissions: fresh.map(({ alert, incidentId }) => ({ alert, incidentId })) }),
      jobOptions(this.jobs),
    );
    // Marked only after the job is stored, and not awaited: the mark only saves work. If it is lost,
    // a resend is admitted again and correlate's receipts drop the second copy. It is sent on the same
    // connection before any later admit, so Redis applies it first.
    this.markCommand(
      `${this.settings.prefix}:ingest:seen:${bucket}`,
      2 * options.dedupeTtlMs,
      fresh.map((outcome) => outcome.alert.key).join('\n'),
    ).catch(() => undefined);
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
