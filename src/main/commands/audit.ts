import type { Command } from 'commander';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { CommandContext } from './context.js';

const EXPORT_PAGE = 5000;

export function auditCommands(program: Command, context: CommandContext): void {
  const audit = program.command('audit').description('the hash-chained audit log');

  audit
    .command('verify')
    .description('check every event against its hash and its predecessor; exit 1 at the first bad one')
    .action(async () => {
      await context.withStore(async (store) => {
        const result = await store.verify();
        if (result.ok) {
          process.stdout.write(`audit log intact: ${result.checked} events verified\n`);
          return;
        }
        throw new MedicError(
          ErrorCodes.auditChainBroken,
          `audit log broken at seq ${result.firstBadSeq} (${result.problem}): ${result.detail}; ${result.checked} events before it are intact`,
          { firstBadSeq: result.firstBadSeq },
        );
      });
    });

  audit
    .command('export')
    .description('write events as JSON Lines to stdout')
    .option('--since <time>', 'only events at or after this RFC 3339 instant')
    .action(async (options: { since?: string }) => {
      let since: string | undefined;
      if (options.since !== undefined) {
        const ms = Date.parse(options.since);
        if (Number.isNaN(ms))
          throw new MedicError(ErrorCodes.usage, `--since: "${options.since}" is not an RFC 3339 timestamp`);
        since = new Date(ms).toISOString();
      }
      await context.withStore(async (store) => {
        let afterSeq = 0;
        for (;;) {
          const page = await store.read({ afterSeq, limit: EXPORT_PAGE, ...(since ? { since } : {}) });
          for (const event of page) process.stdout.write(`${JSON.stringify(event)}\n`);
          const last = page.at(-1);
          if (!last || page.length < EXPORT_PAGE) break;
          afterSeq = last.seq;
        }
      });
    });
}
