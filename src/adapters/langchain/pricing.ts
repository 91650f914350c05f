import type { TokenUsage } from '../../domain/draft.js';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Usage with its cost; a model missing from the table costs 0 (local models). */
export function priced(
  model: string,
  inputTokens: number,
  outputTokens: number,
  prices: PriceTable,
): TokenUsage {
  const price = prices[model];
  const costUsd = price
    ? (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000
    : 0;
  return { inputTokens, outputTokens, costUsd };
}
