import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { parseHistory } from '../../domain/memory/history.js';
import { createLogger } from '../../observability/logger.js';
import { importHistory } from '../../pipeline/memory.js';
import { openReplayWorld, type ReplayWorld, scratchDir } from '../replay-world.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { type Server, startServer } from '../server.js';
import { type DemoClock, demoClock } from './clock.js';

/** A whole medic (HTTP, BullMQ workers, SQLite, sqlite-vec) around one replayed case, all of it throwaway. */
export interface DemoSession {
  replay: ReplayWorld;
  runtime: Runtime;
  server: Server;
  clock: DemoClock;
  /** Past incidents from the case's history.yaml, seeded into the similar-incident memory. */
  remembered: number;
  close(): Promise<void>;
}

/**
 * Only REDIS_URL and MEDIC_LOG_LEVEL come from the environment: the demo must never reach the user's
 * database, vector store, Slack, model or cluster, so nothing else of their configuration applies.
 */
async function demoConfig(env: NodeJS.ProcessEnv, dataDir: string) {
  const file = join(dataDir, 'medic-demo.yaml');
  await writeFile(
    file,
    stringify({
      server: { host: '127.0.0.1', port: 0 },
      redis: { prefix: `medic-demo-${randomBytes(4).toString('hex')}` },
      queue: { shutdownTimeoutMs: 2000 },
      execution: { pollIntervalMs: 100 },
      memory: { embedder: 'hashing' },
    }),
  );
  return loadConfig({
    env: {
      REDIS_URL: env['REDIS_URL'],
      MEDIC_LOG_LEVEL: env['MEDIC_LOG_LEVEL'] ?? 'error',
      MEDIC_DATA_DIR: dataDir,
    },
    file,
  });
}

/** Asked once, without retries, so a missing Redis is one clear message instead of a reconnect loop. */
async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The demo's queues under its own prefix: gone when it ends, so a demo run leaves Redis as it found it.
 * Runs after the runtime is closed, with its own client, so no late job write lands after it.
 */
async function forgetQueues(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    const scan = client.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>;
    for await (const keys of scan) {
      if (keys.length > 0) await client.unlink(...keys);
    }
  } finally {
    client.disconnect();
  }
}

async function seedHistory(replay: ReplayWorld, runtime: Runtime): Promise<number> {
  const name = replay.world.caseFile['history'];
  if (typeof name !== 'string') return 0;
  const file = join(replay.world.dir, name);
  const entries = parseHistory(await readFile(file, 'utf8'), file);
  const memory = await runtime.openMemory();
  try {
    return await importHistory(entries, memory);
  } finally {
    await memory.index.close();
  }
}

export async function openDemoSession(caseDir: string, env: NodeJS.ProcessEnv): Promise<DemoSession> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const dataDir = await scratchDir('medic-demo-');
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = await demoConfig(env, dataDir);
    if (!(await redisAnswers(config.redis.url))) {
      throw new MedicError(
        ErrorCodes.queueUnavailable,
        `medic demo needs Redis and none answers at ${config.redis.url}: start one (docker compose up -d redis) or set REDIS_URL`,
      );
    }
    const replay = await openReplayWorld(caseDir, { rolloutReads: 2 });
    closers.push(() => replay.close());
    const clock = demoClock(replay.world.now);
    const logger = createLogger(config.log.level, process.stderr);
    closers.push(() => forgetQueues(config.redis.url, config.redis.prefix));
    const runtime = await openRuntime(config, logger, { ...replay.overrides, clock });
    closers.push(() => runtime.close());
    const remembered = await seedHistory(replay, runtime);
    const server = await startServer(runtime, { withWorkers: true });
    closers.push(() => server.close());
    return { replay, runtime, server, clock, remembered, close };
  } catch (error) {
    await close();
    throw error;
  }
}
