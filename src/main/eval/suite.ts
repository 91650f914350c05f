import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MedicConfig } from '../../config/schema.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { PlaybookCatalog } from '../../domain/playbook.js';
import { CaseBasedDrafter } from '../../drafting/case-based/index.js';
import { contractPlaybookIds } from '../../evals/case-spec.js';
import { runSuite } from '../../evals/harness.js';
import { RecordingDrafter, ReplayDrafter, readRecording, writeRecording } from '../../evals/recording.js';
import { buildReport, type EvalReport } from '../../evals/report.js';
import type { Logger } from '../../observability/logger.js';
import type { Drafter } from '../../ports/drafter.js';
import type { GuardStep } from './decide.js';
import { loadCases } from './load-cases.js';
import { runCase } from './run-case.js';

export interface SuiteRequest {
  dir: string;
  drafter: 'case' | 'llm';
  repeat: number;
  concurrency: number;
  filter?: string;
  record?: string;
  replay?: string;
  json?: string;
}

export interface SuiteDeps {
  config: MedicConfig;
  catalog: PlaybookCatalog;
  logger: Logger;
  guard: GuardStep;
  /** The drafter under evaluation for `--drafter llm`; the case-based drafter is built here. */
  llmDrafter?: () => Promise<Drafter>;
  /** Replaces the case-based drafter (tests inject fixture drafters here). */
  caseDrafter?: () => Drafter;
  onProgress?: (done: number, total: number, id: string) => void;
}

/** Loads the cases, runs each through the pipeline (recording or replaying the drafter), scores them. */
export async function evaluateSuite(request: SuiteRequest, deps: SuiteDeps): Promise<EvalReport> {
  const playbookIds = [...new Set([...contractPlaybookIds, ...deps.catalog.list().map((p) => p.id)])];
  const entries = await loadCases(request.dir, {
    playbookIds,
    ...(request.filter ? { filter: request.filter } : {}),
  });
  const caseDrafter = deps.caseDrafter ?? (() => new CaseBasedDrafter());
  const llm = request.drafter === 'llm' && !request.replay ? await deps.llmDrafter?.() : undefined;
  if (request.drafter === 'llm' && !request.replay && !llm) {
    throw new MedicError(
      ErrorCodes.config,
      '--drafter llm needs an LLM drafter: set OPENAI_BASE_URL or OLLAMA_URL and MEDIC_LLM_MODEL',
    );
  }
  let label: string = request.drafter;
  const results = await runSuite(
    entries,
    async (loaded, repeat) => {
      // The drafter under evaluation: the LLM, or the case-based drafter when it drafts alone.
      let subject: Drafter = llm ?? caseDrafter();
      if (request.replay) {
        const recording = await readRecording(request.replay, loaded.id, repeat);
        subject = new ReplayDrafter(recording);
        label = recording.identity.kind;
      }
      const recorder = request.record ? new RecordingDrafter(subject) : null;
      const evaluated = recorder ?? subject;
      const isLlm = subject.identity.kind === 'llm';
      const run = await runCase(loaded, {
        config: deps.config,
        catalog: deps.catalog,
        logger: deps.logger,
        primary: isLlm ? evaluated : null,
        fallback: isLlm ? caseDrafter() : evaluated,
        guard: deps.guard,
      });
      if (recorder && request.record)
        await writeRecording(request.record, recorder.recording(loaded.id, repeat));
      return run;
    },
    {
      concurrency: request.concurrency,
      repeat: request.repeat,
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    },
  );
  const report = buildReport(label, results);
  if (request.json) {
    await mkdir(dirname(request.json), { recursive: true });
    await writeFile(request.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}
