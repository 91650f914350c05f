import { Redis, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  url: string;
  prefix: string;
  commandTimeoutMs: number;
}

/** A producer connection fails fast while Redis is away, so ingest can answer 503 instead of hanging. */
export function producerConnection(settings: RedisSettings): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  };
  const redis = new Redis(settings.url, options);
  redis.on('error', () => {
    // Reconnection is automatic; each failed command reports the error to its caller.
  });
  return redis;
}

/** Workers block on Redis and must never give up on a command (BullMQ requires maxRetriesPerRequest: null). */
export function workerConnection(settings: RedisSettings): Redis {
  const redis = new Redis(settings.url, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  redis.on('error', () => {});
  return redis;
}

/** Null when Redis will not evict queue keys under memory pressure; otherwise a warning to log. */
export async function evictionWarning(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      return `Redis maxmemory-policy is "${policy}"; queued alerts can be evicted under memory pressure. Set it to "noeviction".`;
    }
    return null;
  } catch {
    return 'could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is "noeviction".';
  }
}

/** Resolves true once the connection is ready, false if it is not within the timeout. */
export function waitUntilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
