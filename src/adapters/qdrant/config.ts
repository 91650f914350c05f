import { z } from 'zod';

export const qdrantConfigSchema = z.strictObject({
  /** REST endpoint, e.g. http://qdrant:6333 (QDRANT_URL). */
  url: z.url({ protocol: /^https?$/ }),
  /** Sent as the `api-key` header (QDRANT_API_KEY). */
  apiKey: z.string().min(1).optional(),
  collection: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, 'letters, digits, "_" and "-" only')
    .default('medic-incidents'),
  /** Per request. */
  timeoutMs: z.int().positive().default(10_000),
});

export type QdrantConfig = z.output<typeof qdrantConfigSchema>;
export type QdrantConfigInput = z.input<typeof qdrantConfigSchema>;
