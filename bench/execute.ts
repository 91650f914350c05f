// npm run bench:execute — the playbook runner's own time per execution (set-resources on checkout), with the
// time spent inside Kubernetes API calls and the simulated rollout wait taken out, against a bare PATCH of
// the same Deployment in the same run: through the client-node writer and as a raw HTTP request.
// Options (env): EXECUTIONS=60 (replay server)  PLANE_EXECUTIONS=20  CONTROL_PLANE=auto|0|1
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createClusterReader } from '../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../src/adapters/kubernetes/writer.js';
import { loadWorld } from '../src/adapters/replay/world.js';
import { SqliteStore } from '../src/adapters/sqlite/store.js';
import type { Incident } from '../src/domain/incident.js';
import type { Plan } from '../src/domain/plan.js';
import type { ObjectRef, Playbook, PlaybookCatalog } from '../src/domain/playbook.js';
import { createMetrics } from '../src/observability/metrics.js';
import { defaultPlaybookDir, loadCatalog } from '../src/runner/catalog.js';
import { type ExecuteDeps, executePlan } from '../src/runner/execute.js';
import { renderSteps } from '../src/runner/render.js';
import { controlPlaneAvailable } from '../test/support/control-plane.js';
import { type BenchCluster, controlPlaneCluster, replayCluster } from './execute-clusters.js';
import { percentile, Stopwatch, timedReader, timedWriter } from './execute-timing.js';

const EXECUTIONS = Number(process.env['EXECUTIONS'] ?? 60);
const PLANE_EXECUTIONS = Number(process.env['PLANE_EXECUTIONS'] ?? 20);
const WARMUP = 3;
const CONTROL_PLANE = process.env['CONTROL_PLANE'] ?? 'auto';
const WORLD = join(import.meta.dirname, '..', 'test', 'fixtures', 'worlds', 'oom-checkout');
const MEMORY = ['768Mi', '1Gi'];

const world = await loadWorld(WORLD);
const deployment = world.kubernetes.find((o) => o.kind === 'Deployment' && o.metadata.name === 'checkout');
if (!deployment) throw new Error(`no checkout Deployment in ${WORLD}`);
const target: ObjectRef = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };
const deploymentPath = '/apis/apps/v1/namespaces/shop/deployments/checkout';
const catalog = await loadCatalog(defaultPlaybookDir());
const found = catalog.get('set-resources');
if (!found) throw new Error('set-resources is not in the catalog');
const playbook: Playbook = found;

interface Run {
  cluster: string;
  executions: number;
  total: number[];
  inCalls: number[];
  calls: number[];
  waited: number[];
  own: number[];
  writerPatch: number[];
  rawPatch: number[];
}

function incident(id: string, at: string): Incident {
  return {
    id,
    correlationKey: 'default/shop/Deployment/checkout',
    state: 'approved',
    title: 'checkout OOMKilled as traffic grew',
    severity: 'critical',
    cluster: 'default',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout', inferred: false },
    openedAt: at,
    updatedAt: at,
    lastAlertAt: at,
    resolvedAt: null,
    alertCount: 1,
    firingCount: 1,
  };
}

async function measure(cluster: BenchCluster, catalog: PlaybookCatalog, executions: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'medic-bench-execute-'));
  const store = new SqliteStore(join(dir, 'medic.db'));
  const reader = createClusterReader({ kubeconfigYaml: cluster.kubeconfigYaml });
  const writer = createClusterWriter({ kubeconfigYaml: cluster.kubeconfigYaml });
  const inCluster = new Stopwatch();
  const inSleep = new Stopwatch();
  let now = world.now.getTime();
  const deps: ExecuteDeps = {
    store,
    writer: timedWriter(writer, inCluster),
    reader: timedReader(reader, inCluster),
    metrics: null,
    catalog,
    stages: { enqueue: async () => {} },
    clock: { now: () => new Date(now) },
    // The verify window and rollout polls pass on the fake clock; only the kubelet's part takes real time.
    sleep: (ms) =>
      inSleep.time(async () => {
        now += ms;
        await cluster.tick();
      }),
    logger: pino({ level: 'silent' }),
    fieldManager: 'medic',
    pollIntervalMs: 2000,
    counters: createMetrics(),
  };
  const run: Run = {
    cluster: cluster.name,
    executions,
    total: [],
    inCalls: [],
    calls: [],
    waited: [],
    own: [],
    writerPatch: [],
    rawPatch: [],
  };
  let writes = 0;
  const nextMemory = () => MEMORY[writes++ % MEMORY.length] as string;
  const memoryPatch = (memory: string) => ({
    spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory } } }] } } },
  });
  try {
    await cluster.settle(deploymentPath);
    for (let i = 0; i < WARMUP + executions; i++) {
      const warm = i >= WARMUP;
      // The plan as the draft stage would store it: rendered against the live object, then approved.
      const id = `inc-bench-${i}`;
      const at = new Date(now).toISOString();
      const params = { container: 'app', 'limits.memory': nextMemory() };
      const object = await reader.get(target as Parameters<typeof reader.get>[0]);
      if (!object) throw new Error('the checkout Deployment is gone');
      const plan: Plan = {
        id: `plan-${id}`,
        incidentId: id,
        playbook: 'set-resources',
        target,
        params,
        draft: {
          diagnosis: 'checkout is OOMKilled as traffic grows',
          confidence: 0.8,
          playbook: 'set-resources',
          target: target as Plan['draft']['target'],
          params,
          rationale: 'working set reaches the limit',
          evidence_refs: [],
          risk_notes: [],
        },
        steps: renderSteps(playbook, { target, params, object, replicaSets: [], now: new Date(now) }),
        dryRun: [],
        verdict: { decision: 'needs-approval', reasons: [], approvers: 1, risk: 'medium' },
        createdAt: at,
        expiresAt: new Date(now + 3_600_000).toISOString(),
      };
      await store.transaction(async (tx) => {
        await tx.insertIncident(incident(id, at));
        await tx.savePlan(plan);
      });

      inCluster.reset();
      inSleep.reset();
      const start = performance.now();
      const report = await executePlan(plan.id, deps);
      const total = performance.now() - start;
      if (report.execution.state !== 'succeeded') {
        throw new Error(`execution ${i} ended ${report.execution.state}: ${report.execution.error}`);
      }
      if (warm) {
        run.total.push(total);
        run.inCalls.push(inCluster.ms);
        run.calls.push(inCluster.calls);
        run.waited.push(inSleep.ms);
        run.own.push(total - inCluster.ms - inSleep.ms);
      }

      // The same change, bare: one PATCH through the client-node writer, then one raw HTTP PATCH.
      const writerStart = performance.now();
      await writer.patch(target, 'strategic-merge', memoryPatch(nextMemory()), {
        dryRun: false,
        fieldManager: 'bench',
      });
      if (warm) run.writerPatch.push(performance.now() - writerStart);
      await cluster.settle(deploymentPath);
      const rawStart = performance.now();
      await cluster.rawPatch(
        `${deploymentPath}?fieldManager=bench`,
        'application/strategic-merge-patch+json',
        memoryPatch(nextMemory()),
      );
      if (warm) run.rawPatch.push(performance.now() - rawStart);
      // Three writes a round alternate between two limits, so every write (the plan's too) is a change.
      await cluster.settle(deploymentPath);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return run;
}

const runs: Run[] = [];
const replay = await replayCluster(world.kubernetes);
try {
  runs.push(await measure(replay, catalog, EXECUTIONS));
} finally {
  await replay.close();
}
let planeNote = '';
const wantPlane = CONTROL_PLANE === '1' || (CONTROL_PLANE === 'auto' && controlPlaneAvailable());
if (wantPlane) {
  const plane = await controlPlaneCluster(deployment);
  try {
    runs.push(await measure(plane, catalog, PLANE_EXECUTIONS));
  } finally {
    await plane.close();
  }
} else {
  planeNote =
    CONTROL_PLANE === '0'
      ? 'control plane: skipped (CONTROL_PLANE=0)'
      : 'control plane: skipped (kube binaries not built: bash scripts/build-kube.sh)';
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const pair = (values: number[]) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
console.log(
  `execute: set-resources on shop/checkout (oom-checkout world), real runner + SQLite + client-node, ` +
    `fake clock, metrics: null; ${WARMUP} warm-up executions dropped; node ${process.version}`,
);
if (planeNote) console.log(planeNote);
const header = [
  'API server',
  'n',
  'execution total p50 / p95',
  'in API calls p50 (calls)',
  'rollout wait (real) p50',
  'medic own p50 / p95',
  'bare writer.patch p50 / p95',
  'raw HTTP PATCH p50 / p95',
  'own ÷ writer.patch p50',
  'own ÷ raw PATCH p50',
];
const rows = runs.map((r) => [
  r.cluster,
  String(r.executions),
  pair(r.total),
  `${ms(percentile(r.inCalls, 50))} (${percentile(r.calls, 50)})`,
  ms(percentile(r.waited, 50)),
  pair(r.own),
  pair(r.writerPatch),
  pair(r.rawPatch),
  ratio(percentile(r.own, 50), percentile(r.writerPatch, 50)),
  ratio(percentile(r.own, 50), percentile(r.rawPatch, 50)),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
for (const row of [header, ...rows])
  console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join('  '));
console.log('target: medic own time per execution ≤ 50 ms (p50 and p95 above)');
