import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { parseHistory } from '../../domain/memory/history.js';
import { importHistory, reindexMemory } from '../../pipeline/memory.js';
import { openMemory } from '../memory.js';
import type { CommandContext } from './context.js';
import { printJson, table } from './render.js';

export function memoryCommands(program: Command, context: CommandContext): void {
  const memory = program.command('memory').description('the similar-incident index');

  memory
    .command('import <history>')
    .description('seed the index from a history.yaml (the eval case history format); safe to repeat')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new MedicError(ErrorCodes.usage, `${file}: cannot be read: ${(error as Error).message}`);
      }
      const entries = parseHistory(text, file);
      const { index, embedder, where } = await openMemory(context.config());
      try {
        await importHistory(entries, { index, embedder });
        process.stdout.write(
          `${entries.length} past incident(s) indexed with ${embedder.id} (${where}); ${await index.count()} in all\n`,
        );
      } finally {
        await index.close();
      }
    });

  memory
    .command('list')
    .description('what the index holds')
    .option('--json', 'JSON for scripts')
    .action(async (options: { json?: boolean }) => {
      const { index, embedder, where } = await openMemory(context.config());
      try {
        const entries = await index.list(1000);
        if (options.json) return printJson(entries);
        process.stdout.write(`${entries.length} incident(s) in ${where}; embedder ${embedder.id}\n`);
        process.stdout.write(
          `${table(
            ['incident', 'at', 'alert', 'target', 'action', 'outcome', 'title'],
            entries.map((e) => [
              e.incidentId,
              e.at.slice(0, 16),
              e.alertname,
              e.action.target
                ? `${e.action.target.kind}/${e.action.target.namespace ?? '-'}/${e.action.target.name}`
                : '-',
              e.action.playbook,
              e.outcome,
              e.title.slice(0, 50),
            ]),
          )}\n`,
        );
      } finally {
        await index.close();
      }
    });

  memory
    .command('reindex')
    .description('re-embed every remembered incident with the configured embedder (after changing it)')
    .action(async () => {
      const { index, embedder, where } = await openMemory(context.config());
      try {
        const count = await reindexMemory({ index, embedder });
        process.stdout.write(`${count} incident(s) re-embedded with ${embedder.id} (${where})\n`);
      } finally {
        await index.close();
      }
    });
}
