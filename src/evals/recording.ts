import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrafterIdentity } from '../domain/draft.js';
import { ErrorCodes, isMedicError, MedicError } from '../domain/errors.js';
import type { Drafter, DrafterAnswer, DraftInput } from '../ports/drafter.js';

/** One call to a drafter: its answer (with each attempt's raw text), or the error it threw. */
export type RecordedCall =
  | { answer: DrafterAnswer }
  | { error: { code: string; message: string; details: Record<string, unknown> } };

/** Every drafter call of one run of one case, in order. */
export interface Recording {
  case: string;
  repeat: number;
  identity: DrafterIdentity;
  calls: RecordedCall[];
}

const runFile = (dir: string, caseId: string, repeat: number) => join(dir, caseId, `run-${repeat + 1}.json`);

/** Wraps a drafter and keeps what it answered, to be written with `writeRecording`. */
export class RecordingDrafter implements Drafter {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly inner: Drafter) {}

  get identity(): DrafterIdentity {
    return this.inner.identity;
  }

  async draft(input: DraftInput, signal?: AbortSignal): Promise<DrafterAnswer> {
    try {
      const answer = await this.inner.draft(input, signal);
      this.calls.push({ answer: structuredClone(answer) });
      return answer;
    } catch (error) {
      const code = isMedicError(error) ? error.code : ErrorCodes.drafterUnavailable;
      // The LLM drafter hangs its attempts (raw answers) and usage on the error: keep them for replay.
      const details = isMedicError(error) ? structuredClone(error.details) : {};
      this.calls.push({ error: { code, message: (error as Error).message, details } });
      throw error;
    }
  }

  recording(caseId: string, repeat: number): Recording {
    return { case: caseId, repeat, identity: this.inner.identity, calls: this.calls };
  }
}

export async function writeRecording(dir: string, recording: Recording): Promise<void> {
  const file = runFile(dir, recording.case, recording.repeat);
  await mkdir(join(dir, recording.case), { recursive: true });
  await writeFile(file, `${JSON.stringify(recording, null, 2)}\n`);
}

export async function readRecording(dir: string, caseId: string, repeat: number): Promise<Recording> {
  const file = runFile(dir, caseId, repeat);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new MedicError(
      ErrorCodes.notFound,
      `${file}: no recorded answers for case ${caseId} run ${repeat + 1}`,
      {
        file,
      },
    );
  }
  const recording = JSON.parse(text) as Recording;
  if (recording.case !== caseId || !Array.isArray(recording.calls)) {
    throw new MedicError(ErrorCodes.invalidCase, `${file}: not a recording of case ${caseId}`, { file });
  }
  return recording;
}

/** Answers each call with the next recorded one: re-scores recorded LLM answers offline, deterministically. */
export class ReplayDrafter implements Drafter {
  private next = 0;

  constructor(private readonly recording: Recording) {}

  get identity(): DrafterIdentity {
    return this.recording.identity;
  }

  async draft(_input: DraftInput): Promise<DrafterAnswer> {
    const call = this.recording.calls[this.next];
    this.next += 1;
    if (!call) {
      throw new MedicError(
        ErrorCodes.drafterUnavailable,
        `the recording of case ${this.recording.case} run ${this.recording.repeat + 1} holds ${this.recording.calls.length} answer(s); call ${this.next} was not recorded`,
      );
    }
    if ('error' in call) {
      const code =
        Object.values(ErrorCodes).find((c) => c === call.error.code) ?? ErrorCodes.drafterUnavailable;
      throw new MedicError(code, call.error.message, structuredClone(call.error.details ?? {}));
    }
    return structuredClone(call.answer);
  }
}
