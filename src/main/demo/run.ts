import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEvent } from '../../domain/audit.js';
import type { DraftRecord } from '../../domain/draft.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { type IncidentState, terminalStates } from '../../domain/incident.js';
import type { Execution, Plan } from '../../domain/plan.js';
import type { DecisionOutcome } from '../../pipeline/approve.js';
import { decisionDeps } from '../decisions.js';
import { type Answer, askApproval } from './ask.js';
import { heading, renderDraft, renderPlan, renderSimilar, renderTimeline } from './render.js';
import type { DemoSession } from './session.js';

/** The case clock's speed once approved, so a five-minute verify window passes in three seconds. */
export const VERIFY_SPEED = 100;
const DECIDE_TIMEOUT_MS = 60_000;
const EXECUTE_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

export interface DemoOptions {
  yes: boolean;
  /** Who approves, as the audit log names them. */
  by: string;
  input: NodeJS.ReadStream;
  /** Where the prompt goes. */
  promptOutput: NodeJS.WritableStream;
  /** Human-readable progress; a no-op with --json. */
  print: (text: string) => void;
  signal: AbortSignal;
}

export interface DemoReport {
  case: { id: string; dir: string; title: string | null };
  incident: string;
  finalState: IncidentState;
  draft: DraftRecord | null;
  plan: Plan | null;
  answer: Answer | null;
  decision: DecisionOutcome | null;
  execution: Execution | null;
  timeline: AuditEvent[];
  /** Writes the replay API server received (dry-runs excluded): what the demo changed in the "cluster". */
  clusterWrites: string[];
}

const parkedStates: ReadonlySet<IncidentState> = new Set(['open', 'gathering', 'drafted']);

async function until<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) {
      throw new MedicError(
        ErrorCodes.internal,
        `the demo gave up waiting for ${what} after ${timeoutMs / 1000}s`,
      );
    }
    await sleep(POLL_MS, undefined, { signal });
  }
}

async function ingest(session: DemoSession): Promise<string> {
  const response = await fetch(`${session.server.url}/v1/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(session.replay.world.alert),
  });
  const body = (await response.json().catch(() => ({}))) as { incidents?: string[] };
  const incident = body.incidents?.[0];
  if (response.status !== 202 || !incident) {
    throw new MedicError(
      ErrorCodes.badRequest,
      `the webhook answered ${response.status} to the case's alert: ${JSON.stringify(body)}`,
    );
  }
  return incident;
}

/** One recorded case, end to end: ingest, the pipeline up to guard, a decision, execution and verify. */
export async function runDemo(session: DemoSession, options: DemoOptions): Promise<DemoReport> {
  const { runtime, replay } = session;
  const { store } = runtime;
  const { print, signal } = options;
  signal.throwIfAborted();
  const title = typeof replay.world.caseFile['title'] === 'string' ? replay.world.caseFile['title'] : null;
  const stateOf = async (id: string) => (await store.get(id))?.state ?? null;

  print(heading(`medic demo: ${title ?? replay.world.id}`));
  print(`  case             ${replay.world.dir}`);
  print(`  Kubernetes API   replay server at ${replay.kube.url} (writable, server-side dry-run)`);
  print(`  case clock       ${replay.world.now.toISOString()}`);
  print(`  memory           ${session.remembered} past incident(s) from the case's history`);

  print(heading('1. Ingest'));
  const incident = await ingest(session);
  print(`  POST /v1/webhooks/alertmanager -> 202, incident ${incident}`);

  print(heading('2. Gather, retrieve, draft, guard'));
  const parked = await until(
    'the pipeline to draft and guard a plan',
    async () => {
      const state = await stateOf(incident);
      return state !== null && !parkedStates.has(state) ? state : null;
    },
    DECIDE_TIMEOUT_MS,
    signal,
  );
  const [similar, draft, plan] = await Promise.all([
    store.similar(incident),
    store.draft(incident),
    store.latestPlan(incident),
  ]);
  print('Similar past incidents\n');
  print(renderSimilar(similar));
  print('\nDraft\n');
  print(draft ? renderDraft(draft) : '  No draft.');
  print('\nPolicy verdict\n');
  print(plan ? renderPlan(plan) : '  No plan.');

  print(heading('3. Approval'));
  let answer: Answer | null = null;
  let decision: DecisionOutcome | null = null;
  if (parked === 'awaiting-approval') {
    answer = await askApproval({ ...options, output: options.promptOutput });
    signal.throwIfAborted();
    if (answer.notice) process.stderr.write(`medic demo: ${answer.notice}\n`);
    decision = await decisionDeps(runtime).decide(incident, {
      decision: answer.decision,
      by: options.by,
      via: 'cli',
      reason: answer.reason,
    });
    print(
      `  ${options.by}: ${answer.decision} (${answer.reason}) -> ${decision.status}${decision.reason ? `: ${decision.reason}` : ''}; ${decision.approvals}/${decision.required} approval(s), incident ${decision.incidentState}`,
    );
  } else if (parked === 'approved' || parked === 'executing') {
    print('  Policy auto-approved this plan: no person needs to decide.');
  } else {
    print(`  Nothing to approve: the incident is ${parked}.`);
  }

  const approved = decision?.status === 'approved' || parked === 'approved' || parked === 'executing';
  let execution: Execution | null = null;
  if (approved && plan) {
    print(heading('4. Execute and verify'));
    session.clock.setSpeed(VERIFY_SPEED);
    print(`  The case clock now runs ${VERIFY_SPEED}x faster, so the verify window passes in seconds.`);
    await until(
      'the execution to finish',
      async () => {
        const state = await stateOf(incident);
        return state !== null && terminalStates.has(state) ? state : null;
      },
      EXECUTE_TIMEOUT_MS,
      signal,
    );
    execution = await store.execution(plan.id);
    print(`  execution ${execution?.state ?? 'missing'}${execution?.error ? `: ${execution.error}` : ''}`);
    for (const line of execution?.verification ?? []) print(`  ${line}`);
  }

  const finalState = (await stateOf(incident)) ?? parked;
  const timeline = await store.read({ incident });
  const clusterWrites = replay.kube.requests.filter((r) => !r.startsWith('GET') && !r.includes('dryRun'));
  print(heading('Incident timeline'));
  print("  From the hash-chained audit log; times are the case's clock (UTC).\n");
  print(renderTimeline(timeline));
  print(`\n  Writes to the cluster: ${clusterWrites.length === 0 ? 'none' : clusterWrites.join(', ')}`);
  print(`  Final state: ${finalState}\n`);
  return {
    case: { id: replay.world.id, dir: replay.world.dir, title },
    incident,
    finalState,
    draft,
    plan,
    answer,
    decision,
    execution,
    timeline,
    clusterWrites,
  };
}
