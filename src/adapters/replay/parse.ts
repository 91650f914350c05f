import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { isSignalName, type SignalName } from '../../domain/evidence/signals.js';
import type { KubeObject, LogLine, Span } from '../../domain/evidence/telemetry.js';
import { parseDurationMs, parseSeriesValues, type SeriesValue } from './series-notation.js';

/** A case file problem, as `file:where: problem`. */
export function caseFileError(file: string, where: string, problem: string): MedicError {
  const at = where === '' ? file : `${file}:${where}`;
  return new MedicError(ErrorCodes.badRequest, `${at}: ${problem}`, { file, where });
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Validates with zod; `where` turns the failing field's path into the error's location. */
function check<T>(schema: z.ZodType<T>, value: unknown, file: string, where: (path: string) => string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw caseFileError(file, where(pathText(issue?.path ?? [])), issue?.message ?? 'invalid');
}

const under = (prefix: string) => (path: string) =>
  path === '' ? prefix : path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;

/** Every YAML document in a file, or a `file:line:col: problem` error. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `${pos.line}:${pos.col}` : '';
      const first = (error.message.split('\n')[0] ?? 'invalid YAML').replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      throw caseFileError(file, where, first);
    }
  }
  return list.map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown).filter((v) => v != null);
}

export function parseYamlDocument(text: string, file: string): unknown {
  const docs = parseYamlDocuments(text, file);
  if (docs.length > 1) throw caseFileError(file, '', 'expected one YAML document');
  return docs[0] ?? null;
}

// ---- metrics.yaml -------------------------------------------------------------------------------

export interface ReplaySeries {
  signal: SignalName;
  labels: Record<string, string>;
  /** One entry a step, the last one at the case's `now`; null is a missing sample. */
  values: SeriesValue[];
}

export interface ReplayMetrics {
  intervalMs: number;
  series: ReplaySeries[];
}

const metricsSchema = z.object({
  interval: z.string().default('1m'),
  series: z
    .array(
      z.object({
        signal: z.string().refine(isSignalName, {
          error: (issue) => `unknown signal "${String(issue.input)}" (signals.ts lists the known ones)`,
        }),
        labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
        values: z.union([z.string(), z.number()]),
      }),
    )
    .default([]),
});

export function parseMetricsYaml(text: string, file: string): ReplayMetrics {
  const raw = parseYamlDocument(text, file) ?? {};
  const parsed = check(metricsSchema, raw, file, (path) => path);
  let intervalMs: number;
  try {
    intervalMs = parseDurationMs(parsed.interval);
  } catch (error) {
    throw caseFileError(file, 'interval', (error as Error).message);
  }
  const series = parsed.series.map((s, i): ReplaySeries => {
    let values: SeriesValue[];
    try {
      values = parseSeriesValues(String(s.values));
    } catch (error) {
      throw caseFileError(file, `series[${i}].values`, (error as Error).message);
    }
    const labels = Object.fromEntries(Object.entries(s.labels).map(([k, v]) => [k, String(v)]));
    return { signal: s.signal as SignalName, labels, values };
  });
  return { intervalMs, series };
}

// ---- logs.jsonl ---------------------------------------------------------------------------------

/** Reads an ECS field given as a dotted key, nested objects, or any mix of the two. */
export function ecsField(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  const parts = path.split('.');
  for (let i = parts.length; i > 0; i--) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(record, key)) {
      const found = ecsField(record[key], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function ecsString(doc: unknown, path: string): string | null {
  const value = ecsField(doc, path);
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

function jsonLines(text: string, file: string): Array<{ line: number; value: unknown }> {
  const out: Array<{ line: number; value: unknown }> = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    try {
      out.push({ line: index + 1, value: JSON.parse(raw) as unknown });
    } catch (error) {
      throw caseFileError(file, String(index + 1), `invalid JSON: ${(error as Error).message}`);
    }
  });
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function instant(value: unknown, file: string, where: string): string {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw caseFileError(file, where, `expected an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseLogsJsonl(text: string, file: string): LogLine[] {
  return jsonLines(text, file).map(({ line, value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw caseFileError(file, String(line), 'expected a JSON object');
    }
    const level = ecsString(value, 'log.level');
    return {
      timestamp: instant(ecsField(value, '@timestamp'), file, `${line}:@timestamp`),
      message: ecsString(value, 'message') ?? '',
      level: level === null ? null : level.toLowerCase(),
      namespace: ecsString(value, 'kubernetes.namespace'),
      pod: ecsString(value, 'kubernetes.pod.name'),
      container: ecsString(value, 'kubernetes.container.name'),
      service: ecsString(value, 'service.name'),
    };
  });
}

// ---- traces.jsonl -------------------------------------------------------------------------------

const spanSchema = z.object({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  service: z.string().min(1),
  name: z.string(),
  kind: z.enum(['server', 'client', 'internal', 'producer', 'consumer']),
  start: z.string().regex(RFC3339, { error: 'expected an RFC 3339 timestamp' }),
  durationMs: z.number().nonnegative(),
  status: z.enum(['ok', 'error']),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export function parseTracesJsonl(text: string, file: string): Span[] {
  return jsonLines(text, file).map(({ line, value }) =>
    check(spanSchema, value, file, (path) => `${line}:${path}`),
  );
}

// ---- kubernetes.yaml ----------------------------------------------------------------------------

const kubeObjectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});

/** Objects from a multi-document file; `kind: List` documents are flattened. */
export function parseKubernetesYaml(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseYamlDocuments(text, file).forEach((doc, index) => {
    const items =
      doc !== null && typeof doc === 'object' && Array.isArray((doc as { items?: unknown }).items)
        ? ((doc as { items: unknown[] }).items as unknown[])
        : [doc];
    items.forEach((item, i) => {
      const prefix = items[0] === doc ? `doc[${index}]` : `doc[${index}].items[${i}]`;
      out.push(check(kubeObjectSchema, item, file, under(prefix)) as KubeObject);
    });
  });
  return out;
}
