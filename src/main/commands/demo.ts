import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { type DemoReport, runDemo } from '../demo/run.js';
import { openDemoSession } from '../demo/session.js';

/** A shipped case the case-based drafter answers with set-resources, and whose history it learns from. */
export const DEFAULT_DEMO_CASE = fileURLToPath(
  new URL('../../../evals/cases/oom-java-order-service', import.meta.url),
);

interface DemoFlags {
  yes?: boolean;
  as?: string;
  json?: boolean;
}

/** Ctrl-C (or SIGTERM) aborts the waits so everything is closed; a second one exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nmedic demo: interrupted, closing everything it started\n');
    controller.abort();
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function outcomeError(report: DemoReport): MedicError | null {
  if (report.finalState === 'resolved') return null;
  if (report.answer?.decision === 'reject') {
    return new MedicError(
      ErrorCodes.approvalRefused,
      `the plan was not approved (${report.answer.reason}); incident ${report.incident} ended ${report.finalState} and nothing was applied`,
      { incident: report.incident },
    );
  }
  if (report.decision?.status === 'waiting') {
    return new MedicError(
      ErrorCodes.approvalRefused,
      `the plan needs ${report.decision.required} distinct approvers and the demo records one; incident ${report.incident} is still ${report.finalState}`,
      { incident: report.incident },
    );
  }
  return new MedicError(
    ErrorCodes.internal,
    `incident ${report.incident} ended ${report.finalState}, not resolved`,
    { incident: report.incident, state: report.finalState },
  );
}

export function demoCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('demo [caseDir]')
    .description(
      'replay a recorded incident end to end against a Kubernetes replay server: ingest, draft, approve at the terminal, execute, verify (needs only Redis)',
    )
    .option('--yes', 'approve without asking (CI and scripts)')
    .option('--as <name>', 'who approves (default: your login name)')
    .option('--json', 'print the outcome as JSON instead of text')
    .addHelpText(
      'after',
      `\nDefault case: ${DEFAULT_DEMO_CASE}\nEverything runs in a scratch data directory under a fresh Redis key prefix; only REDIS_URL and MEDIC_LOG_LEVEL are read.`,
    )
    .action(async (caseDir: string | undefined, flags: DemoFlags) => {
      const interrupt = interruptible();
      const session = await openDemoSession(resolve(caseDir ?? DEFAULT_DEMO_CASE), env);
      let report: DemoReport;
      try {
        report = await runDemo(session, {
          yes: flags.yes === true,
          by: flags.as ?? userInfo().username,
          input: process.stdin,
          promptOutput: flags.json ? process.stderr : process.stdout,
          print: flags.json ? () => {} : (text) => process.stdout.write(`${text}\n`),
          signal: interrupt.signal,
        });
      } catch (error) {
        if (!interrupt.signal.aborted) throw error;
        await session.close();
        // Everything the demo started is closed; 130 is what shells expect after Ctrl-C.
        process.exit(130);
      } finally {
        await session.close();
        interrupt.dispose();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      const failure = outcomeError(report);
      if (failure) throw failure;
    });
}
