import type { Command } from 'commander';
import { ErrorCodes, isMedicError, MedicError } from '../../domain/errors.js';
import type { Playbook } from '../../domain/playbook.js';
import { defaultPlaybookDir, loadCatalog } from '../../runner/catalog.js';
import type { CommandContext } from './context.js';
import { printJson, table } from './render.js';

/** `container*, requests.cpu, …`: parameter keys, required ones starred. */
function paramSummary(playbook: Playbook): string {
  const schema = playbook.paramsSchema as { properties?: Record<string, unknown>; required?: string[] };
  const keys = Object.keys(schema.properties ?? {});
  if (keys.length === 0) return '-';
  return keys.map((key) => (schema.required?.includes(key) ? `${key}*` : key)).join(', ');
}

export function playbookCommands(program: Command, context: CommandContext): void {
  // The folder medic serves from: playbooks.dir / MEDIC_PLAYBOOKS_DIR, else the built-in playbooks.
  const configuredDir = () => context.config().playbooks.dir ?? defaultPlaybookDir();
  const playbooks = program.command('playbooks').description('the playbook catalog the drafters choose from');

  playbooks
    .command('list')
    .description('every playbook: id, risk, target kinds and parameters (* = required)')
    .option('--json', 'JSON for scripts')
    .action(async (options: { json?: boolean }) => {
      const catalog = await loadCatalog(configuredDir());
      if (options.json) return printJson(catalog.list());
      process.stdout.write(
        `${table(
          ['id', 'risk', 'target kinds', 'params'],
          catalog.list().map((p) => [p.id, p.risk, p.targetKinds.join(', ') || '-', paramSummary(p)]),
        )}\n`,
      );
    });

  playbooks
    .command('validate')
    .description(
      'schema-check every playbook file in a folder (default: the configured playbooks.dir, else the built-in playbooks)',
    )
    .argument('[dir]', 'folder of playbook YAML files')
    .action(async (dir: string | undefined) => {
      try {
        const catalog = await loadCatalog(dir ?? configuredDir());
        process.stdout.write(`${catalog.list().length} playbooks valid\n`);
      } catch (error) {
        if (!isMedicError(error) || error.code !== ErrorCodes.invalidPlaybook) throw error;
        const problems = Array.isArray(error.details['problems'])
          ? (error.details['problems'] as string[])
          : [];
        for (const problem of problems) process.stderr.write(`${problem}\n`);
        throw new MedicError(
          ErrorCodes.invalidPlaybook,
          `${problems.length} problem(s) found`,
          error.details,
        );
      }
    });
}
