import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { createLogger } from '../../observability/logger.js';
import { decisionDeps } from '../decisions.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { slackFromRuntime } from '../slack.js';
import type { CommandContext } from './context.js';

interface DecisionOptions {
  as?: string;
  reason?: string;
  json?: boolean;
}

/** Approvals from a terminal follow the HTTP rules; the person defaults to the login name. */
async function withRuntime<T>(context: CommandContext, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = context.config();
  const runtime = await openRuntime(config, createLogger('warn'));
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

const person = (options: DecisionOptions) => options.as ?? userInfo().username;

export function decisionCommands(program: Command, context: CommandContext): void {
  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(`${decision} <incident>`)
      .description(
        decision === 'approve'
          ? 'approve the incident’s plan (same approver, expiry and two-person rules as Slack and HTTP)'
          : 'reject the incident’s plan',
      )
      .option('--as <name>', 'who decides (default: your login name)')
      .option('--reason <text>', 'why, for the audit log')
      .option('--json', 'print the outcome as JSON')
      .action(async (incident: string, options: DecisionOptions) => {
        const outcome = await withRuntime(context, async (runtime) => {
          // The Slack card follows a terminal decision too; no Slack worker runs in a CLI process.
          const slack = slackFromRuntime(runtime, { withWorker: false });
          try {
            return await decisionDeps(runtime, slack?.channel).decide(incident, {
              decision,
              by: person(options),
              via: 'cli',
              reason: options.reason ?? null,
            });
          } finally {
            await slack?.close();
          }
        });
        if (options.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
        else {
          const detail = outcome.reason ? `: ${outcome.reason}` : '';
          process.stdout.write(
            `${incident}: ${outcome.status}${detail} (${outcome.approvals}/${outcome.required} approvals, incident ${outcome.incidentState})\n`,
          );
        }
        if (outcome.status === 'refused') {
          throw new MedicError(ErrorCodes.approvalRefused, outcome.reason ?? 'refused', { incident });
        }
      });
  }

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(name)
      .description(
        paused
          ? 'kill switch: stop new executions now; running ones stop before their next step'
          : 'lift the kill switch',
      )
      .option('--as <name>', 'who (default: your login name)')
      .option('--reason <text>', 'why, for the audit log')
      .action(async (options: DecisionOptions) => {
        const state = await withRuntime(context, async (runtime) => {
          const deps = decisionDeps(runtime);
          await deps.setPaused({ paused, by: person(options), reason: options.reason ?? null });
          return deps.pauseState();
        });
        const note = state.source === 'config' ? ' (execution.paused is set in config)' : '';
        process.stdout.write(`executions ${state.paused ? 'paused' : 'running'}${note}\n`);
      });
  }
}
