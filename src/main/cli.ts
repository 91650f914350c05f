import { Command, CommanderError } from 'commander';
import { ErrorCodes, isMedicError, MedicError } from '../domain/errors.js';
import { createLogger } from '../observability/logger.js';
import { auditCommands } from './commands/audit.js';
import { commandContext } from './commands/context.js';
import { decisionCommands } from './commands/decisions.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { incidentCommands } from './commands/incidents.js';
import { memoryCommands } from './commands/memory.js';
import { playbookCommands } from './commands/playbooks.js';
import { queueCommands } from './commands/queue.js';
import { openPrimaryDrafter } from './drafting.js';
import { openRuntime } from './runtime.js';
import { startServer } from './server.js';
import { startWorkers } from './workers.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function onShutdown(close: () => Promise<void>, deadlineMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`medic: ${signal} received, shutting down\n`);
    setTimeout(() => {
      process.stderr.write('medic: shutdown deadline passed, exiting\n');
      process.exit(EXIT_FAILURE);
    }, deadlineMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`medic: error during shutdown: ${(error as Error).message}\n`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('medic')
    .description('incident auto-remediation for Kubernetes')
    .option('-c, --config <file>', 'YAML config file (default: $MEDIC_CONFIG, then ./medic.yaml)')
    .exitOverride()
    .showHelpAfterError();
  const context = commandContext(env, () => program.opts<{ config?: string }>().config);

  const run = async (withServer: boolean, withWorkers: boolean) => {
    const config = context.config();
    const logger = createLogger(config.log.level);
    process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
    const runtime = await openRuntime(config, logger);
    if (withServer) {
      const server = await startServer(runtime, { withWorkers });
      onShutdown(async () => {
        await server.close();
        await runtime.close();
      }, config.queue.shutdownTimeoutMs + 5000);
    } else {
      const workers = await startWorkers(runtime);
      onShutdown(async () => {
        await workers.close();
        await runtime.close();
      }, config.queue.shutdownTimeoutMs + 5000);
    }
  };

  program
    .command('serve')
    .description('HTTP server and pipeline workers in one process')
    .option('--no-workers', 'serve HTTP only (an ingest tier); run `medic worker` elsewhere')
    .action((options: { workers: boolean }) => run(true, options.workers));
  program
    .command('worker')
    .description('pipeline workers only; run as many as you like against the same Redis and database')
    .action(() => run(false, true));
  program
    .command('config')
    .description('validate the configuration and print it with secrets hidden')
    .action(() => {
      const config = context.config();
      const redacted = JSON.stringify(
        config,
        (key, value) =>
          /token|secret|apikey|password/i.test(key) && typeof value === 'string' ? '***' : value,
        2,
      );
      process.stdout.write(`${redacted}\n`);
    });
  incidentCommands(program, context);
  auditCommands(program, context);
  queueCommands(program, context);
  memoryCommands(program, context);
  playbookCommands(program, context);
  decisionCommands(program, context);
  demoCommand(program, env);
  evalCommand(program, context, {
    llmDrafter: async (config) => {
      const drafter = await openPrimaryDrafter(config);
      if (!drafter) {
        throw new MedicError(
          ErrorCodes.usage,
          '--drafter llm needs a model: set MEDIC_LLM_MODEL and OPENAI_BASE_URL (or OLLAMA_URL, ANTHROPIC_API_KEY)',
        );
      }
      return drafter;
    },
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `medic eval` reports its documented outcomes (3 unsafe, 4 below baseline) as commander exits.
      if (error.code === 'medic.eval.exit') return error.exitCode;
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isMedicError(error)) {
      process.stderr.write(`medic: ${error.code}: ${error.message}\n`);
      return error.code === ErrorCodes.usage || error.code === ErrorCodes.config ? EXIT_USAGE : EXIT_FAILURE;
    }
    process.stderr.write(`medic: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
