/** Import direction: domain <- ports <- pipeline; adapters implement ports; only main/ wires adapters. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/)' },
    },
    {
      name: 'ports-only-domain',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^src/(?!domain/|ports/)' },
    },
    {
      name: 'pipeline-only-domain-ports',
      severity: 'error',
      comment: 'pipeline stages see the outside world only through ports',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(?!domain/|ports/|pipeline/|observability/|drafting/|policy/|runner/)' },
    },
    {
      name: 'logic-layers-only-domain-ports',
      severity: 'error',
      comment: 'drafting, policy and runner are logic over ports; they never see adapters or the pipeline',
      from: { path: '^src/(drafting|policy|runner)/' },
      to: { path: '^src/(?!domain/|ports/|observability/|drafting/|policy/|runner/)' },
    },
    {
      name: 'evals-through-ports',
      severity: 'error',
      comment: 'the eval harness scores what an injected pipeline answers; main/ composes it',
      from: { path: '^src/evals/' },
      to: { path: '^src/(?!domain/|ports/|evals/|observability/)' },
    },
    {
      name: 'observability-is-a-leaf',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: '^src/(?!observability/|domain/)' },
    },
    {
      name: 'adapters-implement-ports',
      severity: 'error',
      comment:
        'an adapter may not reach into pipeline, http, main or another adapter (adapters/sql and adapters/otel are shared plumbing)',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/(pipeline|http|main|runner|policy|evals)/|^src/adapters/(?!$1/|sql/|otel/)' },
    },
    {
      name: 'only-main-imports-adapters',
      severity: 'error',
      from: { path: '^src/(?!main/|adapters/|config/)' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'http-is-thin',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(adapters|main)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
