import type { Worker } from 'bullmq';
import { producerConnection, type RedisSettings, workerConnection } from '../adapters/bullmq/connection.js';
import { readCardRef } from '../adapters/slack/card-ref.js';
import { createWebClient, SlackApi } from '../adapters/slack/client.js';
import { SlackProcessor } from '../adapters/slack/processor.js';
import { SlackQueue, type SlackQueueOptions, startSlackWorker } from '../adapters/slack/queue.js';
import { slackSignatureVerifier } from '../adapters/slack/verify.js';
import type { SlackRouteDeps } from '../http/routes/slack.js';
import type { Logger } from '../observability/logger.js';
import { type DecisionRequest, decide } from '../pipeline/approve.js';
import { isApprover } from '../policy/approvers.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ApprovalChannel } from '../ports/approval-channel.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { StageQueue } from '../ports/stage-queue.js';
import type { Runtime } from './runtime.js';

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  channel: string;
  /** A stand-in for Slack's Web API (tests); Slack itself when absent. */
  apiUrl?: string;
  /** Slack user id → person name, so a person counts once across Slack, HTTP and the CLI. */
  people?: Record<string, string>;
  timeoutMs?: number;
  retries?: number;
  minBackoffMs?: number;
  queue?: SlackQueueOptions;
}

export interface SlackDeps {
  settings: SlackSettings;
  redis: RedisSettings;
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  stages?: StageQueue;
  /** Counts decisions (the HTTP route does the same through decisionDeps). */
  onDecision?: (request: DecisionRequest, status: string) => void;
  /** Runs the Slack worker in this process (the server does; a CLI command only enqueues). */
  withWorker: boolean;
}

export interface SlackSetup {
  /** For the guard stage's onAwaitingApproval and the execute stage's state changes. */
  channel: ApprovalChannel;
  /** For buildApp: the interaction route. */
  routes: SlackRouteDeps;
  /**
   * Requests a card for every incident waiting for approval that has none (a request lost while
   * Redis was down, or Slack configured after the fact); returns how many. Run it at start-up.
   */
  reconcile(): Promise<number>;
  close(): Promise<void>;
}

/** The Slack approval loop, when a bot token, signing secret and channel are all configured. */
export function openSlack(deps: SlackDeps): SlackSetup {
  const { settings, logger } = deps;
  const producer = producerConnection(deps.redis);
  const queue = new SlackQueue(producer, deps.redis.prefix, settings.queue);
  let worker: Worker | null = null;
  let workerRedis: ReturnType<typeof workerConnection> | null = null;
  if (deps.withWorker) {
    const api = new SlackApi(
      createWebClient({
        botToken: settings.botToken,
        ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
        ...(settings.minBackoffMs !== undefined ? { minBackoffMs: settings.minBackoffMs } : {}),
        logger,
      }),
      settings.channel,
    );
    const processor = new SlackProcessor({
      store: deps.store,
      clock: deps.clock,
      logger,
      api,
      decide: async (incidentId, request) => {
        const outcome = await decide(incidentId, request, {
          store: deps.store,
          clock: deps.clock,
          logger,
          policy: deps.policy,
          ...(deps.stages ? { stages: deps.stages } : {}),
        });
        deps.onDecision?.(request, outcome.status);
        return outcome;
      },
      mayEscalate: (identity) => isApprover(deps.policy, identity),
      people: settings.people ?? {},
      approverGroups: deps.policy.approvals.approvers.slackGroups,
      enqueue: (job) => queue.enqueue(job),
      ...(deps.stages
        ? { onEscalated: (id: string) => deps.stages?.enqueue('learn', id, 'escalated') ?? Promise.resolve() }
        : {}),
    });
    workerRedis = workerConnection(deps.redis);
    worker = startSlackWorker({
      connection: workerRedis,
      prefix: deps.redis.prefix,
      processor,
      logger,
      ...(settings.queue ? { queue: settings.queue } : {}),
    });
  }
  return {
    channel: queue,
    async reconcile() {
      let requested = 0;
      let cursor: string | undefined;
      do {
        const page = await deps.store.list({
          states: ['awaiting-approval'],
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const incident of page.items) {
          if (await readCardRef(deps.store, incident.id)) continue;
          const plan = await deps.store.latestPlan(incident.id);
          if (!plan) continue;
          await queue.requestApproval(plan);
          requested += 1;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return requested;
    },
    routes: { verify: slackSignatureVerifier(settings.signingSecret), accept: (click) => queue.click(click) },
    async close() {
      await worker?.close();
      await queue.close();
      producer.disconnect();
      workerRedis?.disconnect();
    },
  };
}

/**
 * The Slack loop from medic's config, or null when Slack is not configured (bot token, signing
 * secret and channel are all needed). `withWorker` runs the Slack worker in this process.
 */
export function slackFromRuntime(runtime: Runtime, options: { withWorker: boolean }): SlackSetup | null {
  const { botToken, signingSecret, channel } = runtime.config.slack;
  if (!botToken || !signingSecret || !channel) return null;
  const extra = runtime.config.slack;
  return openSlack({
    settings: {
      botToken,
      signingSecret,
      channel,
      ...(extra.apiUrl ? { apiUrl: extra.apiUrl } : {}),
      ...(extra.people ? { people: extra.people } : {}),
    },
    redis: runtime.redisSettings,
    store: runtime.store,
    clock: runtime.clock,
    logger: runtime.logger,
    policy: runtime.actions.policy,
    stages: runtime.stages,
    withWorker: options.withWorker,
    onDecision: (request, status) =>
      runtime.metrics.approvals.inc({ via: request.via, decision: request.decision, outcome: status }),
  });
}
