import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { MedicConfig } from '../../config/schema.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import { EVAL_EXIT, evalOutcome, readBaseline } from '../../evals/baseline.js';
import { renderReport } from '../../evals/table.js';
import { createLogger } from '../../observability/logger.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { Drafter } from '../../ports/drafter.js';
import { defaultPlaybookDir, loadCatalog } from '../../runner/catalog.js';
import { pipelineGuardStep } from '../eval/decide.js';
import { evaluateSuite, type SuiteRequest } from '../eval/suite.js';
import type { CommandContext } from './context.js';

export const DEFAULT_BASELINE = 'evals/baseline.json';

interface EvalOptions extends Omit<SuiteRequest, 'dir'> {
  failOnUnsafe?: boolean;
  baseline?: string;
  policy?: string;
  playbooks?: string;
}

export interface EvalCommandOptions {
  /** Builds the configured LLM drafter for `--drafter llm`. */
  llmDrafter?: (config: MedicConfig) => Promise<Drafter>;
}

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};

const EXIT_HELP = `
Exit codes:
  0  every case ran (whether it passed or not)
  1  at least one case errored (a broken case file or a pipeline error)
  2  bad usage
  3  --fail-on-unsafe and a forbidden action passed guard in some case
  4  the CI gate failed against --baseline (default ${DEFAULT_BASELINE} when present):
     any unsafe case, or action accuracy more than 2 points below the baseline's`;

/** Ends the command with this exit code (3 or 4); main() must pass `medic.eval.exit` codes through. */
function exitWith(code: number, message: string): never {
  process.stderr.write(`medic eval: ${message}\n`);
  throw new CommanderError(code, 'medic.eval.exit', message);
}

export function evalCommand(
  program: Command,
  context: CommandContext,
  options: EvalCommandOptions = {},
): void {
  program
    .command('eval <dir>')
    .description('replay every eval case under <dir> through the pipeline, score the drafts, print a table')
    .option('--json <file>', 'write the report as JSON (format in CONTRACTS.md)')
    .addOption(
      new Option('--drafter <kind>', 'the drafter under evaluation').choices(['case', 'llm']).default('case'),
    )
    .option(
      '--repeat <n>',
      'run each case n times; the report gives mean and spread',
      positive('--repeat'),
      1,
    )
    .option(
      '--concurrency <n>',
      'cases run at once',
      positive('--concurrency'),
      Math.min(4, availableParallelism()),
    )
    .option('--filter <glob>', 'only cases whose folder or id matches')
    .option('--record <dir>', "store each drafter answer per case and run (the LLM's raw text included)")
    .option('--replay <dir>', 'answer from a --record folder instead of a drafter: offline and deterministic')
    .option('--fail-on-unsafe', 'exit 3 when a forbidden action passes guard in any case')
    .option('--baseline <file>', `gate against a saved report (default ${DEFAULT_BASELINE} when present)`)
    .option('--policy <file>', 'guard policy (default: policy.file / MEDIC_POLICY, else the safe defaults)')
    .option('--playbooks <dir>', 'playbook folder (default: the repository playbooks/)')
    .addHelpText('after', EXIT_HELP)
    .action(async (dir: string, opts: EvalOptions) => {
      if (opts.record && opts.replay) {
        throw new MedicError(ErrorCodes.usage, '--record and --replay cannot be used together');
      }
      const config = context.config();
      const baselineFile = opts.baseline ?? (existsSync(DEFAULT_BASELINE) ? DEFAULT_BASELINE : undefined);
      const baseline = baselineFile ? await readBaseline(baselineFile) : null;
      const catalog = await loadCatalog(opts.playbooks ?? config.playbooks.dir ?? defaultPlaybookDir());
      const policyFile = opts.policy ?? config.policy.file;
      const policy = await loadPolicy({
        ...(policyFile ? { file: policyFile } : {}),
        ownNamespace: config.policy.ownNamespace,
      });
      const bar = process.stderr.isTTY
        ? new SingleBar({
            format: 'eval [{bar}] {value}/{total} {case}',
            stream: process.stderr,
            hideCursor: true,
          })
        : null;
      let started = false;
      const report = await evaluateSuite(
        {
          dir,
          drafter: opts.drafter,
          repeat: opts.repeat,
          concurrency: opts.concurrency,
          ...(opts.filter ? { filter: opts.filter } : {}),
          ...(opts.record ? { record: opts.record } : {}),
          ...(opts.replay ? { replay: opts.replay } : {}),
          ...(opts.json ? { json: opts.json } : {}),
        },
        {
          config,
          catalog,
          logger: createLogger('silent'),
          guard: pipelineGuardStep(policy),
          ...(options.llmDrafter
            ? { llmDrafter: () => options.llmDrafter?.(config) as Promise<Drafter> }
            : {}),
          onProgress: (done, total, id) => {
            if (!bar) return;
            if (!started) bar.start(total, 0, { case: id });
            started = true;
            bar.update(done, { case: id });
          },
        },
      ).finally(() => bar?.stop());
      process.stdout.write(`${renderReport(report)}\n`);
      const outcome = evalOutcome(report, {
        failOnUnsafe: opts.failOnUnsafe === true,
        baseline,
        ...(baselineFile ? { baselineFile } : {}),
      });
      if (outcome.code === EVAL_EXIT.errored) {
        throw new MedicError(ErrorCodes.invalidCase, outcome.message ?? 'cases errored');
      }
      if (outcome.code !== EVAL_EXIT.ok) exitWith(outcome.code, outcome.message ?? '');
    });
}
