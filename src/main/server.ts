import type { FastifyInstance } from 'fastify';
import { evictionWarning } from '../adapters/bullmq/connection.js';
import { QueueAdmin } from '../adapters/bullmq/queue-admin.js';
import { buildApp } from '../http/app.js';
import { Ingestor } from '../pipeline/ingest.js';
import { pauseState } from '../pipeline/kill-switch.js';
import { decisionDeps } from './decisions.js';
import type { Runtime } from './runtime.js';
import { slackFromRuntime } from './slack.js';
import { startWorkers, type Workers } from './workers.js';

export interface Server {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** `medic serve`: the HTTP server, and the pipeline workers unless `withWorkers` is false. */
export async function startServer(runtime: Runtime, options: { withWorkers: boolean }): Promise<Server> {
  const { config, logger, metrics } = runtime;
  const warning = await evictionWarning(runtime.redis).catch(() => null);
  if (warning) logger.warn(warning);
  if (!config.server.apiToken && Object.keys(config.approvals.tokens).length === 0) {
    logger.warn(
      'neither MEDIC_API_TOKEN nor approvals.tokens is set: anyone who reaches the HTTP port can approve plans and flip the kill switch',
    );
  }

  const ingestor = new Ingestor(
    runtime.ingestQueue,
    {
      maxBatchAlerts: config.ingest.maxBatchAlerts,
      maxConcurrentFlushes: config.ingest.maxConcurrentFlushes,
      flushDelayMs: config.ingest.flushDelayMs,
      maxPendingAlerts: config.ingest.maxPendingAlerts,
      maxBacklog: config.ingest.maxBacklog,
      backlogRefreshMs: config.ingest.backlogRefreshMs,
      correlationWindowMs: config.correlation.windowSeconds * 1000,
      dedupeTtlMs: config.ingest.dedupeTtlSeconds * 1000,
      newIncidentId: runtime.newIncidentId,
    },
    (alerts) => metrics.ingestBatchSize.observe(alerts),
  );
  ingestor.start();
  const admin = new QueueAdmin(runtime.redis, runtime.redisSettings);
  const evidence = runtime.evidence;

  const slack = slackFromRuntime(runtime, { withWorker: options.withWorkers });
  const app = buildApp({
    logger,
    bodyLimitBytes: config.server.bodyLimitBytes,
    webhook: {
      ingestor,
      limits: {
        maxAlerts: config.ingest.maxAlertsPerPayload,
        maxLabelsPerAlert: config.ingest.maxLabelsPerAlert,
        maxLabelValueBytes: config.ingest.maxLabelValueBytes,
        maxAnnotationValueBytes: config.ingest.maxAnnotationValueBytes,
      },
      labels: runtime.correlationLabels,
      token: config.server.webhookToken,
      retryAfterSeconds: config.ingest.retryAfterSeconds,
      metrics,
    },
    incidents: { store: runtime.store, audit: runtime.store, token: config.server.apiToken },
    decisions: decisionDeps(runtime, slack?.channel),
    slack: slack?.routes ?? null,
    health: {
      metrics,
      checks: [
        {
          name: 'redis',
          required: true,
          check: async () => {
            await runtime.redis.ping();
          },
        },
        { name: runtime.storeKind, required: true, check: () => runtime.store.ping() },
        // Evidence sources are optional: one that is down degrades gather, it does not stop medic.
        ...evidence.checks.map((check) => ({ ...check, required: false })),
      ],
      disabled: evidence.disabled,
      beforeScrape: async () => {
        metrics.paused.set((await pauseState(runtime.store, config.execution.paused)).paused ? 1 : 0);
        const byState = await runtime.store.countByState();
        metrics.incidentsByState.reset();
        for (const [state, count] of Object.entries(byState))
          metrics.incidentsByState.set({ state }, count ?? 0);
        for (const entry of await admin.counts()) {
          metrics.queueDepth.set({ stage: entry.stage, state: entry.state }, entry.jobs);
        }
      },
    },
  });

  const workers: Workers | null = options.withWorkers ? await startWorkers(runtime, slack?.channel) : null;
  const url = await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ url, store: runtime.storeKind, workers: options.withWorkers }, 'medic is serving');
  void slack?.reconcile().catch((err: unknown) => logger.warn({ err }, 'slack reconcile failed'));

  return {
    app,
    url,
    async close() {
      await app.close();
      await ingestor.drain();
      ingestor.stop();
      await workers?.close();
      await slack?.close();
      await admin.close().catch(() => undefined);
    },
  };
}
