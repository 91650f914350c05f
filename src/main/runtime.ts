import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { producerConnection, type RedisSettings, waitUntilReady } from '../adapters/bullmq/connection.js';
import { BullmqIngestQueue } from '../adapters/bullmq/ingest-queue.js';
import { BullmqStageQueue } from '../adapters/bullmq/stage-queue.js';
import { PostgresStore } from '../adapters/postgres/store.js';
import { SqliteStore } from '../adapters/sqlite/store.js';
import type { MedicConfig } from '../config/schema.js';
import type { CorrelationLabels } from '../domain/alert.js';
import { newIncidentId } from '../domain/incident.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import type { AuditLog } from '../ports/audit-log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { ClusterWriter } from '../ports/cluster-writer.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { type ActionSetup, openActions } from './actions.js';
import { type Memory, openMemory } from './memory.js';
import { evidenceSources, type SourceSetup } from './sources.js';

export type Store = IncidentStore & AuditLog;

/** The adapters one medic process shares between its server, its workers and its CLI commands. */
export interface Runtime {
  config: MedicConfig;
  logger: Logger;
  metrics: Metrics;
  store: Store;
  storeKind: 'sqlite' | 'postgres';
  redis: Redis;
  redisSettings: RedisSettings;
  ingestQueue: BullmqIngestQueue;
  correlationLabels: CorrelationLabels;
  /** Built once per process: the server's readiness checks and the gather workers share the clients. */
  evidence: SourceSetup;
  /** Playbooks, policy and the cluster's write side. */
  actions: ActionSetup;
  /** Hand-offs between stages (the server enqueues execute when a plan is approved). */
  stages: BullmqStageQueue;
  clock: Clock;
  /** Opens the similar-incident memory (workers and commands that need it). */
  openMemory: () => Promise<Memory>;
  newIncidentId: () => string;
  close(): Promise<void>;
}

export async function openStore(config: MedicConfig): Promise<{ store: Store; kind: 'sqlite' | 'postgres' }> {
  if (config.database.url)
    return { store: await PostgresStore.connect(config.database.url), kind: 'postgres' };
  return { store: new SqliteStore(join(config.dataDir, 'medic.db')), kind: 'sqlite' };
}

export function redisSettings(config: MedicConfig): RedisSettings {
  return {
    url: config.redis.url,
    prefix: config.redis.prefix,
    commandTimeoutMs: config.redis.commandTimeoutMs,
  };
}

export function correlationLabels(config: MedicConfig): CorrelationLabels {
  return {
    cluster: config.correlation.clusterLabels,
    namespace: config.correlation.namespaceLabels,
    workload: config.correlation.workloadLabels,
    defaultCluster: config.correlation.defaultCluster,
  };
}

/** Replacements for what config would build: `medic demo` replays a recorded world through them. */
export interface RuntimeOverrides {
  evidence?: SourceSetup;
  clock?: Clock;
  openMemory?: () => Promise<Memory>;
  writer?: ClusterWriter;
}

export async function openRuntime(
  config: MedicConfig,
  logger: Logger,
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  const { store, kind } = await openStore(config);
  const settings = redisSettings(config);
  const redis = producerConnection(settings);
  if (!(await waitUntilReady(redis, 3000))) {
    logger.warn({ redis: settings.url }, 'Redis is not reachable yet; the webhook answers 503 until it is');
  }
  const jobPolicy = {
    attempts: config.queue.attempts,
    backoffMs: config.queue.backoffMs,
    backoffJitter: config.queue.backoffJitter,
    keepCompleted: config.queue.keepCompleted,
  };
  const ingestQueue = new BullmqIngestQueue(redis, settings, jobPolicy);
  const stages = new BullmqStageQueue(redis, settings, jobPolicy);
  const evidence = overrides.evidence ?? evidenceSources(config);
  const actions = await openActions(config, evidence.sources.cluster !== undefined, overrides.writer).catch(
    async (error) => {
      redis.disconnect();
      await store.close();
      throw error;
    },
  );
  return {
    config,
    logger,
    metrics: createMetrics(),
    store,
    storeKind: kind,
    redis,
    redisSettings: settings,
    ingestQueue,
    correlationLabels: correlationLabels(config),
    evidence,
    actions,
    stages,
    clock: overrides.clock ?? systemClock,
    openMemory: overrides.openMemory ?? (() => openMemory(config)),
    // randomUUID draws from a cached entropy pool; randomBytes per id showed up in the ingest profile.
    newIncidentId: () => newIncidentId(new Date(), () => randomUUID().slice(-10)),
    async close() {
      await ingestQueue.close().catch(() => undefined);
      await stages.close().catch(() => undefined);
      redis.disconnect();
      await store.close();
    },
  };
}
