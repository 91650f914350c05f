// A deterministic corpus of realistic log lines for the log-pattern tests and bench/log-mining.ts.
import type { MinedLine } from '../../src/domain/evidence/log-patterns.js';

type Rng = () => number;

/** mulberry32: small, fast, deterministic. */
function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const HEX_DIGITS = [...'0123456789abcdef'];
const POD_CHARS = [...'bcdfghjklmnpqrstvwxz2456789'];
const hex = (r: Rng, n: number): string => Array.from({ length: n }, () => pick(r, HEX_DIGITS)).join('');
const alnum = (r: Rng, n: number): string => Array.from({ length: n }, () => pick(r, POD_CHARS)).join('');
const ip = (r: Rng): string => `10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
const uuid = (r: Rng): string => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const ms = (r: Rng): number => int(r, 1, 30_000);
const secs = (r: Rng): string => (r() * 20).toFixed(3);
const NS = ['prod', 'staging', 'payments', 'checkout', 'search'] as const;
const APPS = ['checkout', 'cart', 'search', 'payments', 'ledger', 'inventory'] as const;
const pod = (r: Rng): string => `${pick(r, APPS)}-${alnum(r, 10)}-${alnum(r, 5)}`;
const node = (r: Rng): string => `ip-10-0-${int(r, 0, 255)}-${int(r, 1, 254)}.eu-west-1.compute.internal`;
const goDur = (r: Rng): string =>
  r() < 0.5 ? `${(r() * 900).toFixed(3)}ms` : `${int(r, 1, 9)}m${(r() * 60).toFixed(1)}s`;
const nginxTime = (r: Rng): string => `2026/11/25 13:${int(r, 10, 59)}:${int(r, 10, 59)}`;

export interface LogTemplate {
  name: string;
  level: string | null;
  /** Relative frequency. */
  weight: number;
  make: (r: Rng) => string;
}

/** 31 templates in Java, Go, Python, nginx, Kubernetes, Postgres, Redis and Envoy styles. */
export const LOG_TEMPLATES: readonly LogTemplate[] = [
  {
    name: 'java-npe',
    level: 'ERROR',
    weight: 2,
    make: (r) =>
      `Exception in thread "pool-${int(r, 1, 9)}-thread-${int(r, 1, 64)}" java.lang.NullPointerException: Cannot invoke "com.acme.order.Order.getId()" because "order" is null`,
  },
  {
    name: 'java-kafka',
    level: 'ERROR',
    weight: 3,
    make: (r) =>
      `Failed to process message ${uuid(r)} from topic orders.v1 partition ${int(r, 0, 11)} offset ${int(r, 1, 9_999_999)}: org.apache.kafka.common.errors.TimeoutException`,
  },
  {
    name: 'java-hikari',
    level: 'WARN',
    weight: 4,
    make: (r) => `HikariPool-1 - Connection is not available, request timed out after ${ms(r)}ms.`,
  },
  {
    name: 'java-started',
    level: 'INFO',
    weight: 1,
    make: (r) => `Started OrderServiceApplication in ${secs(r)} seconds (process running for ${secs(r)})`,
  },
  {
    name: 'java-completed',
    level: 'INFO',
    weight: 20,
    make: (r) =>
      `Completed order ${int(r, 1, 999_999)} for customer ${pick(r, ['alice', 'bob', 'carol', 'dave', 'erin'])} in ${ms(r)}ms`,
  },
  {
    name: 'java-retry',
    level: 'WARN',
    weight: 5,
    make: (r) => `Retrying request to inventory-service (attempt ${int(r, 1, 5)}/5) after ${ms(r)}ms backoff`,
  },
  {
    name: 'java-cache',
    level: 'DEBUG',
    weight: 10,
    make: (r) => `Cache miss for key product:${int(r, 1, 99_999)}, loading from database`,
  },
  {
    name: 'go-request',
    level: 'info',
    weight: 25,
    make: (r) =>
      `level=info msg="request completed" method=GET path=/api/v1/orders/${int(r, 1, 99_999)} status=200 duration=${goDur(r)}`,
  },
  {
    name: 'go-conflict',
    level: 'error',
    weight: 3,
    make: (r) => {
      const n = pick(r, APPS);
      return `failed to reconcile deployment ${pick(r, NS)}/${n}: Operation cannot be fulfilled on deployments.apps "${n}": the object has been modified; please apply your changes to the latest version and try again`;
    },
  },
  {
    name: 'go-tls',
    level: 'warning',
    weight: 3,
    make: (r) => `http: TLS handshake error from ${ip(r)}:${int(r, 1024, 65535)}: EOF`,
  },
  {
    name: 'go-refused',
    level: 'error',
    weight: 4,
    make: (r) => `dial tcp ${ip(r)}:5432: connect: connection refused`,
  },
  {
    name: 'k8s-assigned',
    level: 'info',
    weight: 6,
    make: (r) => `Successfully assigned ${pick(r, NS)}/${pod(r)} to ${node(r)}`,
  },
  {
    name: 'k8s-probe',
    level: 'warning',
    weight: 4,
    make: (r) =>
      `Readiness probe failed: Get "http://${ip(r)}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  },
  {
    name: 'go-lease',
    level: 'info',
    weight: 1,
    make: (r) => `successfully acquired lease ${pick(r, NS)}/medic-controller-leader`,
  },
  {
    name: 'go-cache-sync',
    level: 'debug',
    weight: 6,
    make: (r) => `cache sync took ${goDur(r)} for ${int(r, 1, 5000)} objects`,
  },
  {
    name: 'py-traceback',
    level: 'ERROR',
    weight: 2,
    make: (r) =>
      `Traceback (most recent call last): File "/app/worker/tasks.py", line ${int(r, 10, 900)}, in process_payment`,
  },
  {
    name: 'py-psycopg',
    level: 'ERROR',
    weight: 2,
    make: (r) =>
      `psycopg2.OperationalError: could not connect to server: Connection timed out. Is the server running on host "db-${int(r, 0, 3)}.internal" (${ip(r)}) and accepting TCP/IP connections on port 5432?`,
  },
  {
    name: 'py-task-ok',
    level: 'INFO',
    weight: 12,
    make: (r) => `Task tasks.send_email[${uuid(r)}] succeeded in ${(r() * 3).toFixed(4)}s: None`,
  },
  {
    name: 'py-task-retry',
    level: 'WARNING',
    weight: 3,
    make: (r) =>
      `Task tasks.sync_inventory[${uuid(r)}] retry: Retry in ${int(r, 1, 300)}s: ConnectionError()`,
  },
  {
    name: 'py-flags',
    level: 'DEBUG',
    weight: 2,
    make: (r) => `Loaded ${int(r, 10, 400)} feature flags from config in ${ms(r)}ms`,
  },
  {
    name: 'nginx-access',
    level: null,
    weight: 30,
    make: (r) =>
      `${ip(r)} - - [25/Nov/2026:13:${int(r, 10, 59)}:${int(r, 10, 59)} +0000] "GET /api/v1/orders/${int(r, 1, 99_999)} HTTP/1.1" ${pick(r, [200, 200, 200, 304, 404, 502])} ${int(r, 100, 90_000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
  },
  {
    name: 'nginx-upstream-timeout',
    level: null,
    weight: 3,
    make: (r) =>
      `${nginxTime(r)} [error] ${int(r, 20, 40)}#${int(r, 20, 40)}: *${int(r, 1, 999_999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: ${ip(r)}, server: api.example.com, request: "POST /api/v1/checkout HTTP/1.1", upstream: "http://${ip(r)}:8080/api/v1/checkout", host: "api.example.com"`,
  },
  {
    name: 'nginx-buffered',
    level: null,
    weight: 2,
    make: (r) =>
      `${nginxTime(r)} [warn] ${int(r, 20, 40)}#${int(r, 20, 40)}: *${int(r, 1, 999_999)} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/${int(r, 0, 9)}/${int(r, 10, 99)}/${int(r, 1000, 9999)} while reading upstream`,
  },
  {
    name: 'k8s-oom',
    level: 'critical',
    weight: 1,
    make: (r) =>
      `OOMKilled: container app in pod ${pod(r)} exceeded memory limit ${pick(r, [256, 512, 1024])}Mi`,
  },
  {
    name: 'pg-deadlock',
    level: 'ERROR',
    weight: 1,
    make: (r) =>
      `ERROR: deadlock detected DETAIL: Process ${int(r, 100, 99_999)} waits for ShareLock on transaction ${int(r, 1, 9_999_999)}; blocked by process ${int(r, 100, 99_999)}.`,
  },
  {
    name: 'pg-slow',
    level: 'WARN',
    weight: 4,
    make: (r) => `Slow query detected: took ${ms(r)}ms rows=${int(r, 0, 100_000)} table=orders`,
  },
  {
    name: 'redis-accept',
    level: 'notice',
    weight: 5,
    make: (r) => `Accepted connection from ${ip(r)} on port 6379 (client id ${int(r, 1, 999_999)})`,
  },
  {
    name: 'envoy-503',
    level: 'error',
    weight: 3,
    make: (r) =>
      `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: ${pick(r, [111, 113])}`,
  },
  {
    name: 'k8s-scaled-up',
    level: 'info',
    weight: 2,
    make: (r) => `Scaled up replica set ${pick(r, APPS)}-${alnum(r, 10)} to ${int(r, 2, 30)}`,
  },
  {
    name: 'k8s-scaled-down',
    level: 'info',
    weight: 2,
    make: (r) => `Scaled down replica set ${pick(r, APPS)}-${alnum(r, 10)} to ${int(r, 0, 29)}`,
  },
  {
    name: 'go-panic',
    level: 'panic',
    weight: 1,
    make: (r) => `panic: runtime error: index out of range [${int(r, 1, 99)}] with length ${int(r, 0, 99)}`,
  },
];

export interface GeneratedLogs {
  lines: MinedLine[];
  /** Index into LOG_TEMPLATES of each line. */
  templateOf: number[];
}

/** `count` lines, 10 ms apart from 2026-11-25T12:00:00Z, drawn from LOG_TEMPLATES by weight. Deterministic. */
export function generateLogLines(count: number, seed = 42): GeneratedLogs {
  const r = rngFrom(seed);
  const total = LOG_TEMPLATES.reduce((sum, t) => sum + t.weight, 0);
  const start = Date.UTC(2026, 10, 25, 12, 0, 0);
  const lines: MinedLine[] = [];
  const templateOf: number[] = [];
  for (let i = 0; i < count; i++) {
    let x = r() * total;
    let k = 0;
    for (; k < LOG_TEMPLATES.length - 1; k++) {
      x -= (LOG_TEMPLATES[k] as LogTemplate).weight;
      if (x < 0) break;
    }
    const t = LOG_TEMPLATES[k] as LogTemplate;
    lines.push({ timestamp: new Date(start + i * 10).toISOString(), message: t.make(r), level: t.level });
    templateOf.push(k);
  }
  return { lines, templateOf };
}
