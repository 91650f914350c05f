import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import { handleError } from '../../src/http/errors.js';
import { slackRoutes } from '../../src/http/routes/slack.js';
import type { Store } from '../../src/main/runtime.js';
import { openSlack, type SlackSetup } from '../../src/main/slack.js';
import type { SimilarRecord } from '../../src/ports/incident-store.js';
import { startMedic, type TestMedic } from '../support/medic.js';
import { ThrowawayRedis } from '../support/redis.js';
import { SlackApiServer } from '../support/slack-server.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const USERS = { alice: 'U0ALICE', bob: 'U0BOB', mallory: 'U0MALLORY' } as const;

/** Slack's documented signing: v0=hex(HMAC-SHA256(secret, `v0:{ts}:{body}`)). */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function clickBody(
  action: string,
  value: { incidentId: string; planId: string },
  user: string,
  messageTs = '1764000000.000001',
): string {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    container: { type: 'message', message_ts: messageTs, channel_id: 'C0APPROVALS', is_ephemeral: false },
    channel: { id: 'C0APPROVALS', name: 'approvals' },
    message: { ts: messageTs, text: 'card' },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    actions: [
      {
        action_id: action,
        block_id: 'medic_decision',
        type: 'button',
        value: JSON.stringify(value),
        action_ts: '1764000001.000000',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function evidenceFor(incidentId: string): EvidenceBundle {
  const now = Date.now();
  const iso = (offset: number) => new Date(now + offset).toISOString();
  const mi = 1024 * 1024;
  return {
    incidentId,
    collectedAt: iso(0),
    window: { baselineStart: iso(-3_600_000), start: iso(-1_200_000), end: iso(0) },
    sources: [],
    signals: [
      {
        signal: 'memory_working_set_bytes',
        labels: { namespace: 'shop', pod: 'checkout-7d9f-x2x7q', container: 'app' },
        last: 498 * mi,
        min: 300 * mi,
        max: 498 * mi,
        slopePerMinute: 5 * mi,
        baselineMean: 310 * mi,
        changeRatio: 0.6,
        reference: { signal: 'memory_limit_bytes', value: 512 * mi },
        ratioToReference: 498 / 512,
        samples: 40,
      },
      {
        signal: 'container_oom_kills',
        labels: { namespace: 'shop', pod: 'checkout-7d9f-x2x7q', container: 'app' },
        last: 6,
        min: 0,
        max: 6,
        slopePerMinute: 0.3,
        baselineMean: 0,
        changeRatio: null,
        reference: null,
        ratioToReference: null,
        samples: 40,
      },
    ],
    alertExpression: null,
    logs: {
      total: 120,
      patterns: [
        {
          template: 'java.lang.OutOfMemoryError <!channel> <@U0BOSS> & friends',
          count: 57,
          firstSeen: iso(-1_000_000),
          lastSeen: iso(0),
          level: 'error',
          sample: 'java.lang.OutOfMemoryError: Java heap space',
        },
      ],
    },
    traces: null,
    cluster: null,
    changes: [
      { at: iso(-1_500_000), kind: 'deploy', what: 'revision 12 (checkout-7d9f): app v1.4.1 → v1.5.0' },
    ],
    trimmed: [],
  };
}

export function similarFor(): SimilarRecord {
  return {
    retrievedAt: new Date().toISOString(),
    embedder: 'test',
    matches: [
      {
        incidentId: 'inc-old-1',
        title: 'KubePodCrashLooping shop/checkout',
        at: '2026-10-01T10:00:00.000Z',
        score: 0.91,
        vectorScore: 0.88,
        action: { playbook: 'raise-memory-limit', target: null, params: { memory: '768Mi' } },
        outcome: 'resolved',
        diagnosis: 'heap grew after a release',
      },
    ],
  };
}

export async function seedContext(store: Store, incidentId: string): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.saveEvidence(incidentId, evidenceFor(incidentId));
    await tx.saveSimilar(incidentId, similarFor());
  });
}

export interface Harness {
  redis: ThrowawayRedis;
  slack: SlackApiServer;
  medic: TestMedic;
  setup: SlackSetup;
  app: FastifyInstance;
  url: string;
  /** Sends a click with a valid signature (or the headers given). */
  click(body: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/**
 * A real medic (SQLite, BullMQ over a throwaway Redis, its HTTP approval routes) plus the Slack loop
 * wired over the same store and queues, served by its own Fastify app until the lead wires the
 * route into buildApp.
 */
export async function startHarness(): Promise<Harness> {
  const redis = await ThrowawayRedis.start();
  const slack = await SlackApiServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'medic-slack-policy-'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `approvals:\n  approvers:\n    names: [alice, bob]\n    slackUsers: [${USERS.alice}, ${USERS.bob}]\n`,
  );
  const medic = await startMedic({ redisUrl: redis.url, env: { MEDIC_POLICY: policy }, withWorkers: false });
  const { runtime } = medic;
  const setup = openSlack({
    settings: {
      botToken: 'xoxb-test',
      signingSecret: SIGNING_SECRET,
      channel: 'C0APPROVALS',
      apiUrl: slack.url,
      people: { [USERS.bob]: 'bob' },
      timeoutMs: 2000,
      retries: 1,
      minBackoffMs: 20,
      queue: { attempts: 30, backoffMs: 50, maxBackoffMs: 300 },
    },
    redis: runtime.redisSettings,
    store: runtime.store,
    clock: runtime.clock,
    logger: runtime.logger,
    policy: runtime.actions.policy,
    stages: runtime.stages,
    withWorker: true,
  });
  const app = Fastify();
  app.setErrorHandler(handleError(1));
  slackRoutes(app, setup.routes);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    redis,
    slack,
    medic,
    setup,
    app,
    url,
    async click(body, headers) {
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(`${url}/v1/slack/interactions`, {
        method: 'POST',
        headers: headers ?? {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': sign(body, timestamp),
        },
        body,
      });
      return { status: response.status, body: await response.text() };
    },
    async stop() {
      await app.close();
      await setup.close();
      await medic.stop();
      await slack.stop();
      await redis.stop();
    },
  };
}
