import { z } from 'zod';
import { elasticsearchConfigSchema } from '../adapters/elasticsearch/config.js';
import { jaegerConfigSchema } from '../adapters/jaeger/source.js';
import { prometheusConfigSchema } from '../adapters/prometheus/catalog.js';
import { tempoConfigSchema } from '../adapters/tempo/source.js';

const url = (protocols: readonly string[]) =>
  z
    .url({ message: `must be a URL (${protocols.join(', ')})` })
    .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), {
      message: `must use ${protocols.join(' or ')}`,
    });
const httpUrl = url(['http', 'https']);
const positiveInt = z.number().int().positive();
const secret = z.string().min(1, { message: 'must not be empty' });

const workloadLabels = z
  .strictObject({
    deployment: z.array(z.string().min(1)).default(['deployment']),
    statefulset: z.array(z.string().min(1)).default(['statefulset']),
    daemonset: z.array(z.string().min(1)).default(['daemonset']),
    job: z.array(z.string().min(1)).default(['job_name']),
    pod: z.array(z.string().min(1)).default(['pod']),
    node: z.array(z.string().min(1)).default(['node']),
  })
  .prefault({});

const perSource = (ms: number) =>
  z
    .strictObject({
      metrics: positiveInt.default(ms),
      logs: positiveInt.default(ms),
      traces: positiveInt.default(ms),
      kubernetes: positiveInt.default(ms),
    })
    .prefault({});

const gather = z
  .strictObject({
    concurrency: positiveInt.default(8),
    lookbackMinutes: positiveInt.default(30),
    baselineMinutes: positiveInt.default(60),
    stepSeconds: positiveInt.default(60),
    maxChars: positiveInt.default(24_000),
    logLines: positiveInt.default(2000),
    traces: positiveInt.default(50),
    timeoutMs: perSource(5000),
    retries: z.number().int().min(0).max(5).default(1),
    breakAfter: positiveInt.default(5),
    halfOpenAfterMs: positiveInt.default(30_000),
  })
  .prefault({});

const memory = z
  .strictObject({
    /** hashing needs no model; openai uses OPENAI_BASE_URL, ollama uses OLLAMA_URL, both with MEDIC_EMBED_MODEL. */
    embedder: z.enum(['hashing', 'openai', 'ollama']).optional(),
    dimension: positiveInt.max(4096).default(512),
    k: positiveInt.max(50).default(5),
    /** Which past incidents count: every one, the same cluster's, or the same namespace's. */
    scope: z.enum(['all', 'cluster', 'namespace']).default('all'),
    collection: z.string().min(1).default('medic-incidents'),
  })
  .prefault({});

/** The whole of medic's configuration: medic.yaml, with the environment variables of CONTRACTS.md on top. */
export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      bodyLimitBytes: positiveInt.default(1024 * 1024),
      webhookToken: secret.optional(),
      apiToken: secret.optional(),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
      prefix: z
        .string()
        .regex(/^[a-zA-Z0-9_-]+$/)
        .default('medic'),
      commandTimeoutMs: positiveInt.default(2000),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./data'),
  database: z.strictObject({ url: url(['postgres', 'postgresql']).optional() }).prefault({}),
  ingest: z
    .strictObject({
      maxAlertsPerPayload: positiveInt.default(5000),
      maxLabelsPerAlert: positiveInt.default(128),
      maxLabelValueBytes: positiveInt.default(4096),
      maxAnnotationValueBytes: positiveInt.default(32768),
      maxBatchAlerts: positiveInt.default(1000),
      maxConcurrentFlushes: positiveInt.default(4),
      flushDelayMs: z.number().min(0).max(100).default(2),
      maxPendingAlerts: positiveInt.default(50_000),
      maxBacklog: positiveInt.default(10_000),
      backlogRefreshMs: positiveInt.default(250),
      retryAfterSeconds: positiveInt.default(10),
      dedupeTtlSeconds: positiveInt.default(7 * 24 * 3600),
    })
    .prefault({}),
  correlation: z
    .strictObject({
      windowSeconds: positiveInt.default(30 * 60),
      defaultCluster: z.string().min(1).default('default'),
      clusterLabels: z.array(z.string().min(1)).default(['cluster']),
      namespaceLabels: z.array(z.string().min(1)).default(['namespace']),
      workloadLabels,
    })
    .prefault({}),
  queue: z
    .strictObject({
      attempts: positiveInt.default(8),
      backoffMs: positiveInt.default(1000),
      backoffJitter: z.number().min(0).max(1).default(0.5),
      concurrency: positiveInt.default(4),
      lockDurationMs: positiveInt.default(30_000),
      stalledIntervalMs: positiveInt.default(30_000),
      shutdownTimeoutMs: positiveInt.default(25_000),
      keepCompleted: positiveInt.default(10_000),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  // Sources and sinks that later stages use. Validated now, so a typo fails at start-up, not mid-incident.
  prometheus: prometheusConfigSchema.extend({ url: httpUrl.optional() }).prefault({}),
  gather,
  memory,
  elasticsearch: elasticsearchConfigSchema.extend({ url: httpUrl.optional() }).prefault({}),
  traces: z
    .strictObject({
      tempoUrl: httpUrl.optional(),
      jaegerUrl: httpUrl.optional(),
      tempo: tempoConfigSchema.omit({ url: true }).prefault({}),
      jaeger: jaegerConfigSchema.omit({ url: true }).prefault({}),
    })
    .prefault({}),
  kubernetes: z.strictObject({ kubeconfig: z.string().min(1).optional() }).prefault({}),
  playbooks: z.strictObject({ dir: z.string().min(1).optional() }).prefault({}),
  policy: z
    .strictObject({
      file: z.string().min(1).optional(),
      // Protected by default, like kube-system: medic never remediates itself.
      ownNamespace: z.string().min(1).default('medic'),
    })
    .prefault({}),
  execution: z
    .strictObject({
      paused: z.union([z.boolean(), z.stringbool()]).default(false),
      fieldManager: z.string().min(1).max(128).default('medic'),
      pollIntervalMs: positiveInt.default(2000),
      concurrency: positiveInt.default(2),
      // While the kill switch is on, a waiting execution looks again this often (spending no attempt).
      pausedRecheckMs: positiveInt.default(15_000),
    })
    .prefault({}),
  approvals: z
    .strictObject({
      // API token → approver name, so an HTTP approval names a person the token proves.
      tokens: z
        .record(z.string().min(16, 'approver tokens need at least 16 characters'), z.string().min(1))
        .default({}),
    })
    .prefault({}),
  qdrant: z.strictObject({ url: httpUrl.optional(), apiKey: secret.optional() }).prefault({}),
  slack: z
    .strictObject({
      botToken: secret.optional(),
      signingSecret: secret.optional(),
      channel: secret.optional(),
      apiUrl: httpUrl.optional(),
      // Slack user id → approver name, so one person approving over Slack and HTTP counts once.
      people: z.record(z.string().regex(/^[UW][A-Z0-9]+$/), z.string().min(1)).default({}),
    })
    .prefault({}),
  llm: z
    .strictObject({
      openaiApiKey: secret.optional(),
      openaiBaseUrl: httpUrl.optional(),
      model: secret.optional(),
      ollamaUrl: httpUrl.optional(),
      anthropicApiKey: secret.optional(),
      embedModel: secret.optional(),
      // Which API drafts; unset: openai when OPENAI_BASE_URL or OPENAI_API_KEY is set, else ollama
      // when OLLAMA_URL is, else anthropic when ANTHROPIC_API_KEY is. No model: case-based only.
      provider: z.enum(['openai', 'ollama', 'anthropic']).optional(),
      method: z.enum(['functionCalling', 'jsonMode', 'jsonSchema']).default('functionCalling'),
      timeoutMs: positiveInt.default(30_000),
      temperature: z.number().min(0).max(2).default(0),
      // A draft is a few hundred tokens; the cap stops a small model from rambling to the context's end.
      maxTokens: positiveInt.default(1024),
      instructionsInUserMessage: z.union([z.boolean(), z.stringbool()]).default(false),
      promptsDir: z.string().min(1).optional(),
      // Bounds on untrusted text (logs, annotations, past incidents) in a prompt: per item and per block.
      untrustedItemChars: positiveInt.default(600),
      untrustedTotalChars: positiveInt.default(6000),
      prices: z
        .record(
          z.string().min(1),
          z.strictObject({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) }),
        )
        .default({}),
    })
    .prefault({}),
});

export type MedicConfig = z.infer<typeof configSchema>;

/** Environment variable → config path. Env wins over the file. */
export const envBindings: ReadonlyArray<{ env: string; path: readonly string[]; type: 'string' | 'number' }> =
  [
    { env: 'PORT', path: ['server', 'port'], type: 'number' },
    { env: 'MEDIC_WEBHOOK_TOKEN', path: ['server', 'webhookToken'], type: 'string' },
    { env: 'MEDIC_API_TOKEN', path: ['server', 'apiToken'], type: 'string' },
    { env: 'REDIS_URL', path: ['redis', 'url'], type: 'string' },
    { env: 'MEDIC_DATA_DIR', path: ['dataDir'], type: 'string' },
    { env: 'DATABASE_URL', path: ['database', 'url'], type: 'string' },
    { env: 'MEDIC_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
    { env: 'PROMETHEUS_URL', path: ['prometheus', 'url'], type: 'string' },
    { env: 'ELASTICSEARCH_URL', path: ['elasticsearch', 'url'], type: 'string' },
    { env: 'ELASTICSEARCH_API_KEY', path: ['elasticsearch', 'apiKey'], type: 'string' },
    { env: 'TEMPO_URL', path: ['traces', 'tempoUrl'], type: 'string' },
    { env: 'JAEGER_URL', path: ['traces', 'jaegerUrl'], type: 'string' },
    { env: 'KUBECONFIG', path: ['kubernetes', 'kubeconfig'], type: 'string' },
    { env: 'MEDIC_PLAYBOOKS_DIR', path: ['playbooks', 'dir'], type: 'string' },
    { env: 'MEDIC_POLICY', path: ['policy', 'file'], type: 'string' },
    { env: 'MEDIC_PAUSED', path: ['execution', 'paused'], type: 'string' },
    { env: 'QDRANT_URL', path: ['qdrant', 'url'], type: 'string' },
    { env: 'QDRANT_API_KEY', path: ['qdrant', 'apiKey'], type: 'string' },
    { env: 'SLACK_BOT_TOKEN', path: ['slack', 'botToken'], type: 'string' },
    { env: 'SLACK_SIGNING_SECRET', path: ['slack', 'signingSecret'], type: 'string' },
    { env: 'SLACK_CHANNEL', path: ['slack', 'channel'], type: 'string' },
    { env: 'SLACK_API_URL', path: ['slack', 'apiUrl'], type: 'string' },
    { env: 'OPENAI_API_KEY', path: ['llm', 'openaiApiKey'], type: 'string' },
    { env: 'OPENAI_BASE_URL', path: ['llm', 'openaiBaseUrl'], type: 'string' },
    { env: 'MEDIC_LLM_MODEL', path: ['llm', 'model'], type: 'string' },
    { env: 'OLLAMA_URL', path: ['llm', 'ollamaUrl'], type: 'string' },
    { env: 'ANTHROPIC_API_KEY', path: ['llm', 'anthropicApiKey'], type: 'string' },
    { env: 'MEDIC_LLM_PROVIDER', path: ['llm', 'provider'], type: 'string' },
    { env: 'MEDIC_LLM_METHOD', path: ['llm', 'method'], type: 'string' },
    { env: 'MEDIC_EMBED_MODEL', path: ['llm', 'embedModel'], type: 'string' },
  ];
