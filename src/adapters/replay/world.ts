import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { KubeObject, LogLine, Span } from '../../domain/evidence/telemetry.js';
import { ReplayLogSource } from './logs.js';
import { ReplayMetricsSource } from './metrics.js';
import {
  caseFileError,
  parseKubernetesYaml,
  parseLogsJsonl,
  parseMetricsYaml,
  parseTracesJsonl,
  parseYamlDocument,
  type ReplayMetrics,
} from './parse.js';
import { ReplayTraceSource } from './traces.js';

/** Everything one eval case's world holds, parsed and checked. Absent files are empty. */
export interface World {
  dir: string;
  id: string;
  /** The instant the pipeline runs at; metric series end here. */
  now: Date;
  /** The case's raw case.yaml (expect, history, tags… are other modules' business). */
  caseFile: Record<string, unknown>;
  /** The Alertmanager payload as JSON, unvalidated, or null when the case names none. */
  alert: unknown;
  kubernetes: KubeObject[];
  metrics: ReplayMetrics;
  logs: LogLine[];
  spans: Span[];
}

const worldFilesSchema = z
  .object({
    kubernetes: z.string().min(1).optional(),
    metrics: z.string().min(1).optional(),
    logs: z.string().min(1).optional(),
    traces: z.string().min(1).optional(),
  })
  .strict();

const caseSchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'expected a kebab-case id' }),
  now: z.union([z.string(), z.date()]).transform((v, ctx) => {
    const at = v instanceof Date ? v : new Date(v);
    if (Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 instant, got "${String(v)}"` });
      return z.NEVER;
    }
    return at;
  }),
  alert: z.string().min(1).optional(),
  world: worldFilesSchema.default({}),
});

async function readCaseFile(dir: string, name: string, from: string): Promise<string> {
  const path = join(dir, name);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new MedicError(ErrorCodes.badRequest, `${from}: file ${path} not found`, { file: path });
    }
    throw new MedicError(ErrorCodes.badRequest, `${from}: cannot read ${path}: ${(error as Error).message}`, {
      file: path,
    });
  }
}

/** Reads a case folder: case.yaml and the world files it names. */
export async function loadWorld(caseDir: string): Promise<World> {
  const casePath = join(caseDir, 'case.yaml');
  let caseText: string;
  try {
    caseText = await readFile(casePath, 'utf8');
  } catch {
    throw new MedicError(ErrorCodes.notFound, `${casePath}: no case.yaml in ${caseDir}`, { file: casePath });
  }
  const raw = parseYamlDocument(caseText, casePath);
  const parsed = caseSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw caseFileError(casePath, (issue?.path ?? []).map(String).join('.'), issue?.message ?? 'invalid');
  }
  const spec = parsed.data;
  const files = spec.world;

  const load = async <T>(name: string | undefined, key: string, parse: (text: string, file: string) => T) =>
    name === undefined
      ? undefined
      : parse(await readCaseFile(caseDir, name, `${casePath}:${key}`), join(caseDir, name));

  const [alert, kubernetes, metrics, logs, spans] = await Promise.all([
    load(spec.alert, 'alert', (text, file) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw caseFileError(file, '', `invalid JSON: ${(error as Error).message}`);
      }
    }),
    load(files.kubernetes, 'world.kubernetes', parseKubernetesYaml),
    load(files.metrics, 'world.metrics', parseMetricsYaml),
    load(files.logs, 'world.logs', parseLogsJsonl),
    load(files.traces, 'world.traces', parseTracesJsonl),
  ]);

  return {
    dir: caseDir,
    id: spec.id,
    now: spec.now,
    caseFile: raw as Record<string, unknown>,
    alert: alert ?? null,
    kubernetes: kubernetes ?? [],
    metrics: metrics ?? { intervalMs: 60_000, series: [] },
    logs: logs ?? [],
    spans: spans ?? [],
  };
}

/** The replay MetricsSource, LogSource and TraceSource for a loaded world. */
export function replaySources(world: World) {
  return {
    metrics: new ReplayMetricsSource(world.metrics, world.now),
    logs: new ReplayLogSource(world.logs),
    traces: new ReplayTraceSource(world.spans),
  };
}
