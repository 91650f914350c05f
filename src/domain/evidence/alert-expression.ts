/** The alert's own PromQL, read from Prometheus's generatorURL (`…/graph?g0.expr=…`). */
export function alertExpressionOf(generatorURL: string | null): string | null {
  if (!generatorURL) return null;
  try {
    const expr = new URL(generatorURL).searchParams.get('g0.expr');
    return expr && expr.trim().length > 0 ? expr : null;
  } catch {
    return null;
  }
}
