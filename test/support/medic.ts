import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/load.js';
import type { MedicConfig } from '../../src/config/schema.js';
import { openRuntime, type Runtime, type RuntimeOverrides } from '../../src/main/runtime.js';
import { type Server, startServer } from '../../src/main/server.js';
import { createLogger } from '../../src/observability/logger.js';
import { waitFor } from './ports.js';

export interface TestMedic {
  url: string;
  runtime: Runtime;
  server: Server;
  config: MedicConfig;
  /** Environment for a `medic` CLI child process that talks to this instance's Redis and data. */
  cliEnv: Record<string, string>;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  incidents(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

type Overrides = Record<string, unknown>;

/**
 * A real medic (Fastify, BullMQ, SQLite or PostgreSQL) in this process, on a free port, with its own
 * data directory and Redis key prefix so test files can share one Redis.
 */
export async function startMedic(options: {
  redisUrl: string;
  env?: Record<string, string>;
  overrides?: Overrides;
  withWorkers?: boolean;
  runtimeOverrides?: RuntimeOverrides;
}): Promise<TestMedic> {
  const dataDir = mkdtempSync(join(tmpdir(), 'medic-test-'));
  const file = join(dataDir, 'medic.yaml');
  const { writeFileSync } = await import('node:fs');
  const { stringify } = await import('yaml');
  writeFileSync(
    file,
    stringify({
      server: { host: '127.0.0.1', port: 0 },
      redis: { prefix: `t${randomBytes(4).toString('hex')}` },
      log: { level: 'warn' },
      queue: { backoffMs: 50, stalledIntervalMs: 1000, lockDurationMs: 2000, shutdownTimeoutMs: 5000 },
      ...options.overrides,
    }),
  );
  const config = loadConfig({
    env: { REDIS_URL: options.redisUrl, MEDIC_DATA_DIR: dataDir, ...options.env },
    file,
  });
  const logger = createLogger(config.log.level);
  const runtime = await openRuntime(config, logger, options.runtimeOverrides);
  const server = await startServer(runtime, { withWorkers: options.withWorkers ?? true });
  const url = server.url;
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    url,
    runtime,
    server,
    config,
    cliEnv: {
      PATH: process.env['PATH'] ?? '',
      REDIS_URL: options.redisUrl,
      MEDIC_DATA_DIR: dataDir,
      MEDIC_CONFIG: file,
    },
    post: (path, body, headers) => request('POST', path, body, headers),
    get: (path, headers) => request('GET', path, undefined, headers),
    async incidents() {
      const page = await runtime.store.list({ limit: 10_000 });
      return page.items as unknown as Array<Record<string, unknown>>;
    },
    async stop() {
      await server.close();
      await runtime.close();
    },
  };
}

/** Waits until every pipeline queue is empty and nothing is running, so incidents are at rest. */
export async function settle(medic: TestMedic, timeoutMs = 20_000): Promise<void> {
  const stages = medic.runtime.stages.queues;
  const queues: Queue[] = [medic.runtime.ingestQueue.queue, ...stages.values()];
  await waitFor(
    'the pipeline queues to drain',
    async () => {
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).some((count) => count > 0)) return false;
      }
      return true;
    },
    timeoutMs,
  ).catch(async (error: unknown) => {
    const busy = await Promise.all(
      queues.map(
        async (q) =>
          `${q.name}: ${JSON.stringify(await q.getJobCounts('waiting', 'active', 'delayed', 'failed'))}`,
      ),
    );
    throw new Error(`${(error as Error).message} (${busy.join('; ')})`);
  });
}
