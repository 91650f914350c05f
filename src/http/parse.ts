import type { z } from 'zod';
import { formatPath } from '../domain/alertmanager-payload.js';
import { ErrorCodes, MedicError } from '../domain/errors.js';

/** Parses request input; a failure is a 400 naming the first bad field, e.g. `body.by`. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const field = first && first.path.length > 0 ? `${where}.${formatPath(first.path)}` : where;
  throw new MedicError(ErrorCodes.badRequest, `${field}: ${first?.message ?? 'invalid'}`, { field });
}
