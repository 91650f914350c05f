// npm run bench:ingest — medic's webhook against a bare Fastify route, in one run, on this machine.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, waitFor } from '../test/support/ports.js';
import { ThrowawayRedis } from '../test/support/redis.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = 50;
const ALERTS_PER_PAYLOAD = 5;

let counter = 0;
const POD_SUFFIXES = ['x2x7q', 'bk9zt', 'q7nwp', 'm4hvd', 'z8rcl', 'f5gts'];
function payload(): string {
  const n = counter++;
  const alerts = Array.from({ length: ALERTS_PER_PAYLOAD }, (_, i) => ({
    status: 'firing',
    labels: {
      alertname: i % 2 === 0 ? 'KubePodCrashLooping' : 'KubeContainerWaiting',
      severity: 'warning',
      // 40 namespaces × 5 workloads: a busy cluster, not one incident per alert.
      namespace: `team-${n % 40}`,
      pod: `${['checkout', 'cart', 'search', 'payments', 'ledger'][i]}-7d9f8b6c5-${POD_SUFFIXES[n % POD_SUFFIXES.length]}`,
      container: 'app',
      cluster: 'prod-eu-1',
      job: 'kube-state-metrics',
      prometheus: 'monitoring/k8s',
    },
    annotations: {
      summary: 'Pod is crash looping.',
      description: `Pod team-${n % 40}/checkout (app) is in waiting state (reason: "CrashLoopBackOff").`,
      runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
    },
    startsAt: new Date(1_764_000_000_000 + n * 1000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL:
      'http://prometheus-k8s-0:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%5B5m%5D%29+%3E%3D+1',
    fingerprint: `${n.toString(16).padStart(12, '0')}${i.toString(16).padStart(4, '0')}`,
  }));
  return JSON.stringify({
    version: '4',
    groupKey: '{}/{severity="warning"}:{alertname="KubePodCrashLooping"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'medic',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { severity: 'warning', cluster: 'prod-eu-1' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager-main-0:9093',
    alerts,
  });
}

interface Figures {
  name: string;
  rps: number;
  alertsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(name: string, url: string): Promise<Figures> {
  const result = await autocannon({
    url: `${url}/v1/webhooks/alertmanager`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: payload() }) }],
  });
  return {
    name,
    rps: result.requests.average,
    alertsPerSecond: result.requests.average * ALERTS_PER_PAYLOAD,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function start(command: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function healthy(url: string, path: string): Promise<void> {
  await waitFor(
    `${url}${path}`,
    async () =>
      (
        await fetch(`${url}${path}`, {
          method: path === '/healthz' ? 'GET' : 'POST',
          body: path === '/healthz' ? null : '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status < 500,
  );
}

const redis = await ThrowawayRedis.start();
const dataDir = mkdtempSync(join(tmpdir(), 'medic-bench-'));
const config = join(dataDir, 'medic.yaml');
writeFileSync(
  config,
  `log:\n  level: warn\nserver:\n  host: 127.0.0.1\ningest:\n  maxBacklog: 1000000\n${process.env['BENCH_INGEST_EXTRA'] ?? ''}`,
);

const barePort = await freePort();
const bare = start(['bench/bare-server.ts'], { PORT: String(barePort) });
const bareUrl = `http://127.0.0.1:${barePort}`;
await healthy(bareUrl, '/v1/webhooks/alertmanager');

const medicPort = await freePort();
const medic = start(
  [
    ...(process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : []),
    'src/main/entry.ts',
    'serve',
    '--no-workers',
  ],
  {
    PORT: String(medicPort),
    REDIS_URL: redis.url,
    MEDIC_DATA_DIR: dataDir,
    MEDIC_CONFIG: config,
  },
);
const medicUrl = `http://127.0.0.1:${medicPort}`;
await healthy(medicUrl, '/healthz');

// Warm both up so JIT and connection set-up do not count.
await autocannon({
  url: `${bareUrl}/v1/webhooks/alertmanager`,
  method: 'POST',
  duration: 2,
  connections: 10,
  body: payload(),
  headers: { 'content-type': 'application/json' },
});
await autocannon({
  url: `${medicUrl}/v1/webhooks/alertmanager`,
  method: 'POST',
  duration: 2,
  connections: 10,
  requests: [{ setupRequest: (r) => ({ ...r, body: payload() }) }],
  headers: { 'content-type': 'application/json' },
});

async function cpuSeconds(pid: number | undefined): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
async function redisCpuSeconds(): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  const info = await client.info('cpu');
  client.disconnect();
  const value = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_user') + value('used_cpu_sys');
}

const bareCpu0 = await cpuSeconds(bare.pid);
const baseline = await measure('bare Fastify route', bareUrl);
const bareCpu = (await cpuSeconds(bare.pid)) - bareCpu0;
const medicCpu0 = await cpuSeconds(medic.pid);
const redisCpu0 = await redisCpuSeconds();
const ingest = await measure('medic webhook (durable in Redis)', medicUrl);
const medicCpu = (await cpuSeconds(medic.pid)) - medicCpu0;
const redisCpu = (await redisCpuSeconds()) - redisCpu0;
const perRequest = (seconds: number, figures: Figures) =>
  ((seconds / (figures.rps * DURATION_S)) * 1e6).toFixed(0);
console.log(
  `CPU per request: bare server ${perRequest(bareCpu, baseline)} µs; medic ${perRequest(medicCpu, ingest)} µs + Redis ${perRequest(redisCpu, ingest)} µs`,
);

const rows = [baseline, ingest].map((f) => ({
  route: f.name,
  'req/s': Math.round(f.rps),
  'alerts/s': Math.round(f.alertsPerSecond),
  'p50 ms': f.p50,
  'p99 ms': f.p99,
  non2xx: f.non2xx,
  errors: f.errors,
}));
console.table(rows);
const ratio = ingest.rps / baseline.rps;
console.log(
  `ratio medic/bare req/s: ${ratio.toFixed(2)} (target ≥ 0.5); medic p99 ${ingest.p99} ms (target ≤ 50 ms)`,
);
console.log(
  `alerts durable in Redis: ${await (
    async () => {
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url);
      const keys = await client.dbsize();
      client.disconnect();
      return `${keys} keys`;
    }
  )()}`,
);

if (process.env['BENCH_COMMANDSTATS']) {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  console.log(await client.info('commandstats'));
  client.disconnect();
}
bare.kill('SIGTERM');
medic.kill('SIGTERM');
await new Promise((resolve) => medic.once('exit', resolve));
await redis.stop();
process.exit(ingest.non2xx > 0 || ingest.errors > 0 ? 1 : 0);
