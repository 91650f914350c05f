import type { z } from 'zod';
import { ErrorCodes, MedicError } from './errors.js';

/** Parses an adapter's part of the configuration; a problem names its full key path, e.g. `traces.tempo.url`. */
export function parseAdapterConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  path: readonly string[],
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = [...path, ...(issue?.path.map(String) ?? [])].join('.');
  throw new MedicError(ErrorCodes.config, `${key}: ${issue?.message ?? 'invalid'}`, { path: key });
}
