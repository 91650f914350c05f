import { z } from 'zod';

/** Limits that keep one hostile payload from costing more than it is worth. */
export interface PayloadLimits {
  maxAlerts: number;
  maxLabelsPerAlert: number;
  maxLabelValueBytes: number;
  maxAnnotationValueBytes: number;
}

export const defaultPayloadLimits: PayloadLimits = {
  maxAlerts: 5000,
  maxLabelsPerAlert: 128,
  maxLabelValueBytes: 4096,
  maxAnnotationValueBytes: 32768,
};

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'must be an RFC 3339 timestamp',
});

function boundedStringMap(maxEntries: number, maxValueBytes: number, what: string) {
  return z.record(z.string().min(1).max(1024), z.string()).superRefine((map, ctx) => {
    const keys = Object.keys(map);
    if (keys.length > maxEntries) {
      ctx.addIssue({ code: 'custom', message: `has ${keys.length} ${what}, at most ${maxEntries} allowed` });
      return;
    }
    for (const key of keys) {
      const value = map[key] ?? '';
      if (Buffer.byteLength(value) > maxValueBytes) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `value is ${Buffer.byteLength(value)} bytes, at most ${maxValueBytes} allowed`,
        });
      }
    }
  });
}

/** Alertmanager webhook v4. Unknown fields are accepted (newer releases add some) and ignored. */
export function alertmanagerPayloadSchema(limits: PayloadLimits = defaultPayloadLimits) {
  const alert = z.looseObject({
    status: z.enum(['firing', 'resolved']),
    labels: boundedStringMap(limits.maxLabelsPerAlert, limits.maxLabelValueBytes, 'labels').refine(
      (labels) => typeof labels['alertname'] === 'string' && labels['alertname'].length > 0,
      { message: 'must contain a non-empty alertname' },
    ),
    annotations: boundedStringMap(
      limits.maxLabelsPerAlert,
      limits.maxAnnotationValueBytes,
      'annotations',
    ).default({}),
    startsAt: isoDate,
    endsAt: isoDate.optional(),
    generatorURL: z.string().max(8192).optional(),
    fingerprint: z
      .string()
      .regex(/^[0-9a-zA-Z]{1,64}$/, { message: 'must be 1-64 alphanumeric characters' })
      .optional(),
  });
  return z.looseObject({
    version: z.literal('4', { message: 'only webhook payload version "4" is supported' }),
    groupKey: z.string().max(16384).optional(),
    truncatedAlerts: z.number().int().min(0).optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(1024).optional(),
    groupLabels: z.record(z.string(), z.string()).optional(),
    commonLabels: z.record(z.string(), z.string()).optional(),
    commonAnnotations: z.record(z.string(), z.string()).optional(),
    externalURL: z.string().max(8192).optional(),
    alerts: z
      .array(alert)
      .min(1, { message: 'must contain at least one alert' })
      .max(limits.maxAlerts, { message: `must contain at most ${limits.maxAlerts} alerts` }),
  });
}

export type AlertmanagerPayload = z.infer<ReturnType<typeof alertmanagerPayloadSchema>>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

export interface PayloadProblem {
  field: string;
  problem: string;
}

/** Turns zod issues into `alerts[3].labels.team: must be a string` style field paths. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): PayloadProblem[] {
  return issues.map((issue) => ({
    field: formatPath(issue.path),
    problem: issue.message,
  }));
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out.length === 0 ? '(body)' : out;
}
