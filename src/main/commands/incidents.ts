import type { Command } from 'commander';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { type IncidentState, incidentStates } from '../../domain/incident.js';
import type { CommandContext } from './context.js';
import { printJson, table } from './render.js';
import { renderEvidence } from './render-evidence.js';

function parseStates(value: string | undefined): IncidentState[] | undefined {
  if (!value) return undefined;
  const states = value.split(',').map((state) => state.trim());
  for (const state of states) {
    if (!(incidentStates as readonly string[]).includes(state)) {
      throw new MedicError(
        ErrorCodes.usage,
        `--state: "${state}" is not one of ${incidentStates.join(', ')}`,
      );
    }
  }
  return states as IncidentState[];
}

function parseInstant(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new MedicError(ErrorCodes.usage, `${flag}: "${value}" is not an RFC 3339 timestamp`);
  return new Date(ms).toISOString();
}

export function incidentCommands(program: Command, context: CommandContext): void {
  const incidents = program.command('incidents').description('incidents and their timeline');

  incidents
    .command('list')
    .description('list incidents, newest first')
    .option('--state <states>', 'comma-separated states, e.g. open,resolved')
    .option('--since <time>', 'opened at or after this RFC 3339 instant')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'JSON for scripts')
    .action(async (options: { state?: string; since?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new MedicError(
          ErrorCodes.usage,
          `--limit: "${options.limit}" must be an integer from 1 to 10000`,
        );
      }
      const states = parseStates(options.state);
      const since = parseInstant('--since', options.since);
      await context.withStore(async (store) => {
        const page = await store.list({ limit, ...(states ? { states } : {}), ...(since ? { since } : {}) });
        if (options.json) return printJson(page.items);
        const rows = page.items.map((incident) => [
          incident.id,
          incident.state,
          incident.severity,
          incident.title,
          incident.namespace,
          `${incident.firingCount}/${incident.alertCount}`,
          incident.openedAt,
        ]);
        process.stdout.write(
          `${table(['id', 'state', 'severity', 'title', 'namespace', 'firing/alerts', 'opened'], rows)}\n`,
        );
      });
    });

  incidents
    .command('show <id>')
    .description('one incident with its alerts and timeline')
    .option('--json', 'JSON for scripts')
    .action(async (id: string, options: { json?: boolean }) => {
      await context.withStore(async (store) => {
        const incident = await store.get(id);
        if (!incident) throw new MedicError(ErrorCodes.notFound, `no incident ${id}`);
        const [alerts, evidence, timeline] = await Promise.all([
          store.alerts(id),
          store.evidence(id),
          store.read({ incident: id }),
        ]);
        if (options.json) return printJson({ incident, alerts, evidence, timeline });
        const out = process.stdout;
        out.write(`${incident.id}  ${incident.title}\n`);
        out.write(
          `state ${incident.state} · severity ${incident.severity ?? '-'} · cluster ${incident.cluster}`,
        );
        out.write(` · namespace ${incident.namespace ?? '-'} · opened ${incident.openedAt}\n\n`);
        out.write('Alerts\n');
        out.write(
          `${table(
            ['alertname', 'status', 'severity', 'startsAt', 'fingerprint'],
            alerts.map((alert) => [
              alert.alertname,
              alert.status,
              alert.severity,
              alert.startsAt,
              alert.fingerprint,
            ]),
          )}\n\n`,
        );
        out.write(`${evidence ? renderEvidence(evidence) : 'No evidence collected yet.'}\n\nTimeline\n`);
        out.write(
          `${table(
            ['seq', 'at', 'actor', 'event', 'details'],
            timeline.map((event) => [
              event.seq,
              event.at,
              event.actor,
              event.type,
              JSON.stringify(event.data).slice(0, 80),
            ]),
          )}\n`,
        );
      });
    });
}
