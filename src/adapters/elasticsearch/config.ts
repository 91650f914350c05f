import { z } from 'zod';

/** Source fields read per log line (ECS + Beats/Elastic Agent Kubernetes metadata by default). */
export const elasticsearchFieldsSchema = z.strictObject({
  timestamp: z.string().min(1).default('@timestamp'),
  message: z.string().min(1).default('message'),
  level: z.string().min(1).default('log.level'),
  namespace: z.string().min(1).default('kubernetes.namespace'),
  pod: z.string().min(1).default('kubernetes.pod.name'),
  container: z.string().min(1).default('kubernetes.container.name'),
  service: z.string().min(1).default('service.name'),
});

export const elasticsearchConfigSchema = z.strictObject({
  /** One node URL of an Elasticsearch 8.x cluster. */
  url: z.url({ protocol: /^https?$/ }),
  /** Base64 API key (the `encoded` value Elasticsearch returns), sent as `Authorization: ApiKey …`. */
  apiKey: z.string().min(1).optional(),
  /** Comma-separated index names or patterns searched (data streams included). */
  index: z.string().min(1).default('logs-*,filebeat-*'),
  fields: elasticsearchFieldsSchema.prefault({}),
  /** Per request; the client retries once on connection errors and 502/503/504. */
  timeoutMs: z.int().positive().default(10_000),
});

export type ElasticsearchFields = z.output<typeof elasticsearchFieldsSchema>;
export type ElasticsearchConfig = z.output<typeof elasticsearchConfigSchema>;
export type ElasticsearchConfigInput = z.input<typeof elasticsearchConfigSchema>;

/** Levels treated as errors (matched case-insensitively); their lines come first. */
export const errorLevels = ['error', 'fatal', 'critical', 'panic', 'emerg'] as const;

/** Elasticsearch's default index.max_result_window: one page never holds more hits. */
export const maxPageSize = 10_000;
