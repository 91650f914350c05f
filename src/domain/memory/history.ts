import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../alertmanager-payload.js';
import { ErrorCodes, MedicError } from '../errors.js';
import type { SignatureInput } from './signature.js';

const target = z.strictObject({
  kind: z.string().min(1),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1),
});

/** One past incident in the CONTRACTS.md history format. */
export const historyEntrySchema = z.strictObject({
  id: z.string().min(1),
  at: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an RFC 3339 timestamp' }),
  title: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  summary: z.string().default(''),
  diagnosis: z.string().default(''),
  action: z.strictObject({
    playbook: z.string().min(1),
    target: target.optional(),
    params: z.record(z.string(), z.unknown()).default({}),
  }),
  outcome: z.enum(['resolved', 'failed', 'rolled-back', 'escalated']),
});

export type HistoryEntry = z.output<typeof historyEntrySchema>;

/** Parses a history.yaml; a problem names the file, the entry and the field. */
export function parseHistory(text: string, file: string): HistoryEntry[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new MedicError(ErrorCodes.badRequest, `${file}: not valid YAML: ${(error as Error).message}`, {
      file,
    });
  }
  const parsed = z.array(historyEntrySchema).safeParse(raw ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? formatPath(issue.path) : '(file)';
    throw new MedicError(ErrorCodes.badRequest, `${file}:${where}: ${issue?.message ?? 'invalid'}`, {
      file,
      field: where,
    });
  }
  return parsed.data;
}

const TERMINATION = /\b(OOMKilled|Error|Completed|ContainerCannotRun|DeadlineExceeded|Evicted)\b/g;
const WAITING =
  /\b(CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError|RunContainerError)\b/g;
const NODE = /\b(NotReady|MemoryPressure|DiskPressure|PIDPressure|NetworkUnavailable)\b/g;

function found(pattern: RegExp, text: string): string[] {
  return [...new Set(text.match(pattern) ?? [])];
}

/** A past incident's signature, from what its record says; the same text shape a live incident gets. */
export function historySignature(entry: HistoryEntry): SignatureInput {
  const text = `${entry.title} ${entry.summary} ${entry.diagnosis}`;
  return {
    alertnames: entry.labels['alertname'] ? [entry.labels['alertname']] : [],
    labels: entry.labels,
    terminationReasons: found(TERMINATION, text),
    waitingReasons: found(WAITING, text),
    nodeConditions: found(NODE, text),
    hpaAtMax: /\bHPA\b.*\bmax/i.test(text),
    diagnosis: `${entry.title}. ${entry.summary} ${entry.diagnosis}`.trim(),
  };
}
