import { createInterface } from 'node:readline/promises';

export interface Answer {
  decision: 'approve' | 'reject';
  reason: string;
  /** Set when nobody could be asked: why the plan was rejected instead. */
  notice: string | null;
}

/**
 * The terminal's approval: `--yes` approves, a terminal is asked "Approve? [y/N]", and without a
 * terminal nobody can approve, so the plan is rejected (a demo never applies anything unasked).
 */
export async function askApproval(options: {
  yes: boolean;
  input: NodeJS.ReadStream;
  output: NodeJS.WritableStream;
  signal: AbortSignal;
}): Promise<Answer> {
  if (options.yes) return { decision: 'approve', reason: 'approved with --yes', notice: null };
  if (!options.input.isTTY) {
    return {
      decision: 'reject',
      reason: 'no terminal to approve from',
      notice:
        'stdin is not a terminal, so nobody can approve: the plan is rejected and nothing is applied. Run `medic demo --yes` to approve without asking.',
    };
  }
  const rl = createInterface({ input: options.input, output: options.output });
  // readline swallows Ctrl-C while it reads; pass it on as the interrupt it is.
  rl.on('SIGINT', () => process.emit('SIGINT'));
  try {
    const answer = await rl.question('\nApprove? [y/N] ', { signal: options.signal });
    return /^y(es)?$/i.test(answer.trim())
      ? { decision: 'approve', reason: 'approved at the terminal', notice: null }
      : { decision: 'reject', reason: 'rejected at the terminal', notice: null };
  } finally {
    rl.close();
  }
}
