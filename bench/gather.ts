// npm run bench:gather — gather's concurrency against local sources that answer in 50 ms, and log mining.
import { spawn } from 'node:child_process';
import { PrometheusSource } from '../src/adapters/prometheus/source.js';
import type { Incident } from '../src/domain/incident.js';
import { type EvidenceSources, type GatherSettings, gatherEvidence } from '../src/pipeline/gather.js';
import { createSourceGuards } from '../src/pipeline/source-guard.js';
import { freePort } from '../test/support/ports.js';
import { benchLogMining } from './log-mining.js';

const LATENCY_MS = 50;
const INCIDENTS = 200;

/** The stand-in runs in its own process so that serving the queries does not eat the client's CPU. */
async function delayedPrometheus(): Promise<{ url: string; close: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/slow-prometheus.ts'], {
    env: { ...process.env, PORT: String(port), LATENCY_MS: String(LATENCY_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

function incident(i: number): Incident {
  const now = new Date().toISOString();
  return {
    id: `inc-bench-${i}`,
    correlationKey: `default/shop/workload:checkout-${i}`,
    state: 'open',
    title: 'bench',
    severity: 'warning',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: `checkout-${i}`, inferred: false },
    openedAt: now,
    updatedAt: now,
    lastAlertAt: now,
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
}

const settings: GatherSettings = {
  lookbackMinutes: 30,
  baselineMinutes: 60,
  stepSeconds: 60,
  maxChars: 24_000,
  logLines: 2000,
  traces: 50,
  timeoutMs: { metrics: 10_000, logs: 10_000, traces: 10_000, kubernetes: 10_000 },
};
const guards = createSourceGuards({
  timeoutMs: settings.timeoutMs,
  retries: 0,
  breakAfter: 1000,
  halfOpenAfterMs: 1000,
});

const prometheus = await delayedPrometheus();
const sources: EvidenceSources = {
  metrics: new PrometheusSource({ url: prometheus.url, timeoutMs: 10_000 }),
};
const run = (i: number) => gatherEvidence(incident(i), [], { sources, guards, settings, now: new Date() });

await run(-1); // warm-up: JIT, connections
let single = Number.POSITIVE_INFINITY;
for (let i = 0; i < 5; i += 1) {
  const t = performance.now();
  await run(i);
  single = Math.min(single, performance.now() - t);
}
async function batchOnce(): Promise<{ ms: number; bundles: Awaited<ReturnType<typeof run>>[] }> {
  const t = performance.now();
  const bundles = await Promise.all(Array.from({ length: INCIDENTS }, (_, i) => run(i)));
  return { ms: performance.now() - t, bundles };
}
// The first batch also opens a connection per concurrent request; a long-running worker keeps them.
const cold = await batchOnce();
const { ms: batch, bundles } = await batchOnce();
const unavailable = bundles.filter((b) => b.sources.some((s) => s.state === 'unavailable')).length;
prometheus.close();

console.log(
  `gather, sources answering in ${LATENCY_MS} ms (metrics: ${bundles[0]?.signals.length ?? 0} signals per incident):`,
);
console.log(`  one incident: ${single.toFixed(0)} ms`);
console.log(
  `  ${INCIDENTS} incidents concurrently, connections warm: ${batch.toFixed(0)} ms (${unavailable} unavailable)`,
);
console.log(
  `  ${INCIDENTS} incidents concurrently, first batch (opening connections): ${cold.ms.toFixed(0)} ms`,
);
console.log(
  `  ratio batch/one: ${(batch / single).toFixed(2)} warm, ${(cold.ms / single).toFixed(2)} cold (target ≤ 3)`,
);

if (process.env['BENCH_SKIP_MINING']) process.exit(0);
const mining = await benchLogMining();
console.log('log pattern mining, 100k lines:');
console.log(
  `  ${Math.round(mining.linesPerSecond).toLocaleString()} lines/s, ${mining.patterns} patterns (target ≥ 100,000 lines/s)`,
);
console.log(
  `  baseline (lower-case + split): ${Math.round(mining.baselineLinesPerSecond).toLocaleString()} lines/s; mining takes ${mining.ratio.toFixed(1)}× the baseline's time per line`,
);
