import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { printJson, table } from './render.js';

export function queueCommands(program: Command, context: CommandContext): void {
  const queue = program.command('queue').description('the stage queues and their dead-letter (failed) sets');

  queue
    .command('failed')
    .description('jobs that used up their retries')
    .option('--json', 'JSON for scripts')
    .action(async (options: { json?: boolean }) => {
      await context.withQueueAdmin(async (admin) => {
        const failed = await admin.failed();
        if (options.json) return printJson(failed);
        if (failed.length === 0) {
          process.stdout.write('no failed jobs\n');
          return;
        }
        process.stdout.write(
          `${table(
            ['stage', 'job', 'alerts', 'attempts', 'failed at', 'reason'],
            failed.map((job) => [
              job.stage,
              job.id,
              job.alerts,
              job.attempts,
              job.failedAt,
              job.failedReason.slice(0, 80),
            ]),
          )}\n`,
        );
      });
    });

  queue
    .command('retry')
    .description('move every failed job back to waiting')
    .action(async () => {
      await context.withQueueAdmin(async (admin) => {
        const count = await admin.retryFailed();
        process.stdout.write(`${count} failed job(s) moved back to waiting\n`);
      });
    });

  queue
    .command('stats')
    .description('jobs per stage and state')
    .option('--json', 'JSON for scripts')
    .action(async (options: { json?: boolean }) => {
      await context.withQueueAdmin(async (admin) => {
        const counts = await admin.counts();
        if (options.json) return printJson(counts);
        process.stdout.write(
          `${table(
            ['stage', 'state', 'jobs'],
            counts.map((c) => [c.stage, c.state, c.jobs]),
          )}\n`,
        );
      });
    });
}
