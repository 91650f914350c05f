import type { GuardRule } from '../guard-input.js';

/** Any dry-run refusal denies with the API server's message; an empty diff denies as a no-op. */
export const dryRunRule: GuardRule = ({ dryRunProblems, noop }) => [
  ...dryRunProblems.map((problem) => `dry-run: the API server refused: ${problem}`),
  ...(noop ? ['no-op: the dry-run shows no change to the cluster'] : []),
];
