import { Ajv, type ErrorObject } from 'ajv';

/** Limits that keep one hostile payload from costing more than it is worth. */
export interface PayloadLimits {
  maxAlerts: number;
  maxLabelsPerAlert: number;
  /** In characters (JSON Schema counts code points, not bytes). */
  maxLabelValueBytes: number;
  maxAnnotationValueBytes: number;
}

export const defaultPayloadLimits: PayloadLimits = {
  maxAlerts: 5000,
  maxLabelsPerAlert: 128,
  maxLabelValueBytes: 4096,
  maxAnnotationValueBytes: 32768,
};

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

export interface AlertmanagerPayload {
  version: '4';
  groupKey?: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver?: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
  alerts: AlertmanagerAlert[];
}

export interface PayloadProblem {
  field: string;
  problem: string;
}

export type PayloadValidation =
  | { ok: true; payload: AlertmanagerPayload }
  | { ok: false; problems: PayloadProblem[] };

// A plain pattern rather than ajv-formats' date-time: the format's three-stage check was a visible
// share of the webhook's CPU. Calendar validity is checked again when the alert is normalised.
const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$';

const stringMap = (maxEntries: number, maxValueLength: number) => ({
  type: 'object',
  maxProperties: maxEntries,
  propertyNames: { minLength: 1, maxLength: 1024 },
  additionalProperties: { type: 'string', maxLength: maxValueLength },
});

/** Alertmanager webhook v4 as JSON Schema. Unknown fields are accepted (newer releases add some). */
export function alertmanagerPayloadJsonSchema(limits: PayloadLimits = defaultPayloadLimits) {
  const labels = stringMap(limits.maxLabelsPerAlert, limits.maxLabelValueBytes);
  const annotations = stringMap(limits.maxLabelsPerAlert, limits.maxAnnotationValueBytes);
  return {
    type: 'object',
    required: ['version', 'status', 'alerts'],
    properties: {
      version: { const: '4' },
      groupKey: { type: 'string', maxLength: 16384 },
      truncatedAlerts: { type: 'integer', minimum: 0 },
      status: { enum: ['firing', 'resolved'] },
      receiver: { type: 'string', maxLength: 1024 },
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: { type: 'string', maxLength: 8192 },
      alerts: {
        type: 'array',
        minItems: 1,
        maxItems: limits.maxAlerts,
        items: {
          type: 'object',
          required: ['status', 'labels', 'startsAt'],
          properties: {
            status: { enum: ['firing', 'resolved'] },
            labels: {
              ...labels,
              required: ['alertname'],
              properties: { alertname: { type: 'string', minLength: 1 } },
            },
            annotations,
            startsAt: { type: 'string', pattern: RFC3339 },
            endsAt: { type: 'string', pattern: RFC3339 },
            generatorURL: { type: 'string', maxLength: 8192 },
            fingerprint: { type: 'string', pattern: '^[0-9a-zA-Z]{1,64}$' },
          },
        },
      },
    },
  } as const;
}

function fieldOf(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'required') segments.push(String(error.params['missingProperty']));
  if (error.keyword === 'propertyNames') segments.push(String(error.params['propertyName']));
  let out = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out.length === 0 ? segment : `.${segment}`;
  }
  return out.length === 0 ? '(body)' : out;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'const' && error.instancePath === '/version')
    return 'only webhook payload version "4" is supported';
  if (error.keyword === 'pattern' && /At$/.test(error.instancePath)) return 'must be an RFC 3339 timestamp';
  if (error.keyword === 'maxProperties') return `must have at most ${error.params['limit']} entries`;
  if (error.keyword === 'minItems') return 'must contain at least one alert';
  if (error.keyword === 'required') return 'is required';
  return error.message ?? 'is invalid';
}

/**
 * Compiled once; validating a five-alert payload costs a few microseconds, which matters on a
 * webhook that Alertmanager may call thousands of times a second during a storm.
 */
export function payloadValidator(
  limits: PayloadLimits = defaultPayloadLimits,
): (body: unknown) => PayloadValidation {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate = ajv.compile(alertmanagerPayloadJsonSchema(limits));
  return (body) => {
    if (validate(body)) return { ok: true, payload: body as AlertmanagerPayload };
    return {
      ok: false,
      problems: (validate.errors ?? []).map((error) => ({
        field: fieldOf(error),
        problem: messageOf(error),
      })),
    };
  };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out.length === 0 ? '(body)' : out;
}
