// npm run bench:slack — ack latency of POST /v1/slack/interactions under 50 concurrent signed clicks,
// against a bare Fastify route that parses the same form body, in one run, on this machine.
// The script runs twice: as the orchestrator (autocannon) and, spawned by it, as the server process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { freePort, waitFor } from '../test/support/ports.js';
import { ThrowawayRedis } from '../test/support/redis.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = 50;
const SECRET = 'bench-signing-secret-0123456789';
const PATH = '/v1/slack/interactions';

function click(n: number): { body: string; headers: Record<string, string> } {
  const payload = {
    type: 'block_actions',
    user: { id: `U0BENCH${n % 20}`, username: `bench${n % 20}` },
    container: { type: 'message', message_ts: '1764000000.000001', channel_id: 'C0BENCH' },
    channel: { id: 'C0BENCH' },
    actions: [
      {
        action_id: 'medic_approve',
        block_id: 'medic_decision',
        type: 'button',
        value: JSON.stringify({ incidentId: `inc-bench-${n % 500}`, planId: `inc-bench-${n % 500}-plan` }),
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    },
  };
}

async function serve(): Promise<void> {
  const [{ SqliteStore }, { handleError }, { slackRoutes }, { openSlack }, { createLogger }, { loadPolicy }] =
    await Promise.all([
      import('../src/adapters/sqlite/store.js'),
      import('../src/http/errors.js'),
      import('../src/http/routes/slack.js'),
      import('../src/main/slack.js'),
      import('../src/observability/logger.js'),
      import('../src/policy/load-policy.js'),
    ]);
  const bare = Fastify();
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, body),
  );
  bare.post(PATH, async (request, reply) => {
    JSON.parse(new URLSearchParams(String(request.body)).get('payload') ?? '{}');
    return reply.code(200).send();
  });
  await bare.listen({ host: '127.0.0.1', port: Number(process.env['BARE_PORT']) });

  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'medic-bench-slack-')), 'medic.db'));
  const setup = openSlack({
    settings: { botToken: 'xoxb-bench', signingSecret: SECRET, channel: 'C0BENCH' },
    redis: { url: String(process.env['REDIS_URL']), prefix: 'bench', commandTimeoutMs: 2000 },
    store,
    clock: { now: () => new Date() },
    logger: createLogger('warn'),
    policy: await loadPolicy({}),
    // Acks only: the decisions would run in the Slack worker, which is not what is measured.
    withWorker: false,
  });
  const medic = Fastify();
  medic.setErrorHandler(handleError(1));
  slackRoutes(medic, setup.routes);
  await medic.listen({ host: '127.0.0.1', port: Number(process.env['MEDIC_PORT']) });
  process.stdout.write('ready\n');
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(name: string, url: string, duration: number): Promise<Figures> {
  let n = 0;
  const result = await autocannon({
    url: `${url}${PATH}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    requests: [{ setupRequest: (request) => ({ ...request, ...click(n++) }) }],
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function orchestrate(): Promise<void> {
  const redis = await ThrowawayRedis.start();
  const [barePort, medicPort] = [await freePort(), await freePort()];
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      SLACK_BENCH_ROLE: 'server',
      BARE_PORT: String(barePort),
      MEDIC_PORT: String(medicPort),
      REDIS_URL: redis.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ready = false;
  server.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) ready = true;
  });
  await waitFor('the bench servers', async () => ready, 60_000);
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const medicUrl = `http://127.0.0.1:${medicPort}`;
  // Warm-up: JIT and connection set-up do not count.
  await measure('warm-up', bareUrl, 2);
  await measure('warm-up', medicUrl, 2);
  const baseline = await measure('bare Fastify route', bareUrl, DURATION_S);
  const slack = await measure('medic Slack interactions (verified, queued)', medicUrl, DURATION_S);
  console.table(
    [baseline, slack].map((f) => ({
      route: f.name,
      'req/s': Math.round(f.rps),
      'p50 ms': f.p50,
      'p99 ms': f.p99,
      non2xx: f.non2xx,
      errors: f.errors,
    })),
  );
  console.log(
    `ratio medic/bare: p99 ${(slack.p99 / Math.max(baseline.p99, 1)).toFixed(2)}x, req/s ${(slack.rps / baseline.rps).toFixed(2)}; ` +
      `medic p99 ${slack.p99} ms (target ≤ 100 ms, Slack's limit 3000 ms)`,
  );
  server.kill('SIGTERM');
  await redis.stop();
  if (slack.non2xx > 0 || slack.errors > 0) process.exitCode = 1;
}

if (process.env['SLACK_BENCH_ROLE'] === 'server') await serve();
else await orchestrate();
