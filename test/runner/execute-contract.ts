import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { Execution, Plan } from '../../src/domain/plan.js';
import type { PlaybookCatalog, RenderedStep } from '../../src/domain/playbook.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { runExecuteStage } from '../../src/pipeline/execute-stage.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import type { ClusterWriter } from '../../src/ports/cluster-writer.js';
import type { MetricsSource } from '../../src/ports/metrics-source.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { type ExecuteDeps, executePlan } from '../../src/runner/execute.js';
import { renderSteps } from '../../src/runner/render.js';
import {
  DEPLOYMENT,
  type FakeClock,
  fakeClock,
  incidentFixture,
  keepFewerRevisions,
  planFixture,
  raiseMemory,
  restartsWorld,
  START,
  seedObjects,
  targetIn,
} from './execute-fixtures.js';

/** One namespace's worth of cluster, holding the seed objects, for one test. */
export interface ClusterHandle {
  kubeconfigYaml: string;
  /** Every request the API server saw for this handle, as `METHOD path?query`. */
  requests(): string[];
  /** What the kubelet would do between two polls (pods become ready); nothing for the replay server. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export interface ExecuteCluster {
  /** Creates `objects` (a Namespace first) and returns a handle for the test that uses them. */
  prepare(namespace: string, objects: KubeObject[]): Promise<ClusterHandle>;
  close(): Promise<void>;
}

/** Non-dry-run PATCHes of the Deployment: the writes that actually changed it. */
const patchesOf = (handle: ClusterHandle, namespace: string) =>
  handle
    .requests()
    .filter(
      (r) =>
        r.startsWith('PATCH ') &&
        r.includes(`/namespaces/${namespace}/deployments/${DEPLOYMENT}`) &&
        !r.includes('dryRun='),
    );

interface Scene {
  namespace: string;
  handle: ClusterHandle;
  store: SqliteStore;
  clock: FakeClock;
  deps: ExecuteDeps;
  plan: Plan;
  enqueued: string[];
  patches(): string[];
  live(): Promise<KubeObject>;
  auditTypes(): Promise<string[]>;
}

/**
 * The playbook runner against a cluster behind the real client-node adapters, with a real SQLite
 * store: exactly-once application, rollout wait, verification, rollback, crash resume, kill switch.
 */
export function executeContract(
  name: string,
  start: () => Promise<ExecuteCluster>,
  skipReason: string | null,
) {
  describe.skipIf(skipReason !== null)(
    `playbook runner: ${name}${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
    () => {
      let cluster: ExecuteCluster;
      let catalog: PlaybookCatalog;
      let counter = 0;
      const open: Array<() => Promise<void>> = [];

      beforeAll(async () => {
        catalog = await loadCatalog(defaultPlaybookDir());
        cluster = await start();
      }, 120_000);
      afterAll(async () => {
        await cluster?.close();
      });
      afterEach(async () => {
        for (const close of open.splice(0)) await close();
      });

      /** The plan's steps as the set-resources playbook of the repository renders them against the live object. */
      async function rendered(reader: ClusterReader, namespace: string): Promise<RenderedStep[]> {
        const playbook = catalog.get('set-resources');
        const object = await reader.get({ kind: 'Deployment', namespace, name: DEPLOYMENT });
        if (!playbook || !object) throw new Error('no set-resources playbook or no seeded Deployment');
        const target = targetIn(namespace);
        const params = planFixture('render', namespace, []).params;
        expect(catalog.checkParams(playbook.id, params)).toEqual([]);
        return renderSteps(playbook, { target, params, object, replicaSets: [], now: new Date(START) });
      }

      async function scene(
        options: {
          restarts?: 'steady' | 'rising';
          steps?: (ns: string) => RenderedStep[];
          verdict?: Plan['verdict'];
        } = {},
      ): Promise<Scene> {
        counter += 1;
        const namespace =
          `runner-${name.replace(/[^a-z0-9]/g, '')}-${counter}-${Date.now().toString(36)}`.slice(0, 60);
        const handle = await cluster.prepare(namespace, seedObjects(namespace));
        const dir = mkdtempSync(join(tmpdir(), 'medic-runner-'));
        const store = new SqliteStore(join(dir, 'medic.db'));
        open.push(async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
          await handle.close();
        });
        const incidentId = `inc-runner-${counter}`;
        const reader = createClusterReader({ kubeconfigYaml: handle.kubeconfigYaml });
        const steps = options.steps ? options.steps(namespace) : await rendered(reader, namespace);
        const plan = planFixture(incidentId, namespace, steps, options.verdict);
        await store.transaction(async (tx) => {
          await tx.insertIncident(incidentFixture(incidentId, namespace));
          await tx.savePlan(plan);
        });
        const clock = fakeClock();
        const enqueued: string[] = [];
        const metrics: MetricsSource = await restartsWorld(options.restarts ?? 'steady', namespace);
        const deps: ExecuteDeps = {
          store,
          writer: createClusterWriter({ kubeconfigYaml: handle.kubeconfigYaml }),
          reader,
          metrics,
          catalog,
          stages: {
            enqueue: async (stage, incident, occasion) => {
              enqueued.push(`${stage}:${incident}:${occasion}`);
            },
          },
          clock,
          sleep: async (ms) => {
            clock.advance(ms);
            await handle.tick();
          },
          logger: pino({ level: 'silent' }),
          fieldManager: 'medic',
          pollIntervalMs: 1000,
        };
        return {
          namespace,
          handle,
          store,
          clock,
          deps,
          plan,
          enqueued,
          patches: () => patchesOf(handle, namespace),
          live: async () => {
            const object = await reader.get({ kind: 'Deployment', namespace, name: DEPLOYMENT });
            if (!object) throw new Error('the deployment is gone');
            return object;
          },
          auditTypes: async () => (await store.read({ incident: incidentId })).map((e) => e.type),
        };
      }

      const container = (object: KubeObject): unknown => {
        const template = object.spec?.['template'] as
          | { spec?: { containers?: Array<{ resources?: unknown }> } }
          | undefined;
        return template?.spec?.containers?.[0]?.resources;
      };

      /** Writes like the real writer, then dies before the runner hears back, as a killed worker would. */
      function crashingAfterPatch(inner: ClusterWriter, afterwards: () => Promise<never>): ClusterWriter {
        return {
          patch: async (ref, type, patch, options) => {
            const answer = await inner.patch(ref, type, patch, options);
            if (!options.dryRun) return afterwards();
            return answer;
          },
          delete: (ref, options) => inner.delete(ref, options),
        };
      }

      it('applies set-resources once, waits for the rollout, verifies it and resolves the incident', async () => {
        const s = await scene();
        const counters = createMetrics();
        const report = await executePlan(s.plan.id, { ...s.deps, counters });
        expect(report.outcome).toBe('ran');
        expect(report.execution.state).toBe('succeeded');
        expect(report.execution.verification.join('\n')).toMatch(/unknown: oom_kills_total .*no data/);
        expect(await counters.registry.metrics()).toMatch(
          /medic_executions_total\{playbook="set-resources",outcome="succeeded"\} 1/,
        );
        expect(report.execution.verification.join('\n')).toMatch(
          /passed: container_restarts_total not-increasing/,
        );
        expect(report.execution.verification.join('\n')).toMatch(/successfully rolled out/);
        expect(container(await s.live())).toMatchObject({
          limits: { memory: '1Gi' },
          requests: { memory: '768Mi' },
        });
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('resolved');
        expect(s.patches()).toHaveLength(1);
        expect(await s.auditTypes()).toEqual(
          expect.arrayContaining([
            'execution.started',
            'execution.step.applied',
            'execution.rollout.done',
            'execution.verified',
          ]),
        );
        expect(s.enqueued).toEqual([`learn:${s.plan.incidentId}:outcome`]);
      }, 60_000);

      it('rolls back when verification fails, leaving the spec as it was before the change', async () => {
        const s = await scene({ restarts: 'rising' });
        const before = await s.live();
        const report = await executePlan(s.plan.id, s.deps);
        expect(report.execution.state).toBe('rolled-back');
        expect(report.execution.verification.join('\n')).toMatch(
          /failed: container_restarts_total not-increasing.*rose from/,
        );
        expect((await s.live()).spec).toEqual(before.spec);
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('rolled-back');
        expect(await s.auditTypes()).toEqual(
          expect.arrayContaining(['execution.verification.failed', 'execution.rolled-back']),
        );
        expect(s.enqueued).toHaveLength(1);
      }, 60_000);

      it('rolls back a rollout that exceeded its progress deadline', async () => {
        const s = await scene();
        const before = await s.live();
        // The new pods never become available: the Deployment reports what its controller would then.
        const stuck: ExecuteDeps['reader'] = {
          ...s.deps.reader,
          get: async (ref) => {
            const object = await s.deps.reader.get(ref);
            if (!object || JSON.stringify(container(object)).includes('1Gi') === false) return object;
            const status = { ...(object.status ?? {}), observedGeneration: object.metadata.generation };
            const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
            return { ...object, status: { ...status, conditions } };
          },
        };
        const report = await executePlan(s.plan.id, { ...s.deps, reader: stuck });
        expect(report.execution.state).toBe('rolled-back');
        expect(report.execution.verification.join('\n')).toMatch(/exceeded its progress deadline/);
        expect((await s.live()).spec).toEqual(before.spec);
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('rolled-back');
        expect(await s.auditTypes()).toEqual(
          expect.arrayContaining(['execution.rollout.failed', 'execution.rolled-back']),
        );
        expect(await s.auditTypes()).not.toContain('execution.verified');
      }, 60_000);

      it('escalates the incident when the rollback itself fails', async () => {
        const s = await scene({ restarts: 'rising' });
        const refusingRestore: ClusterWriter = {
          patch: (ref, type, patch, options) =>
            type === 'json'
              ? Promise.reject(
                  new MedicError(ErrorCodes.clusterForbidden, 'deployments is forbidden: cannot patch'),
                )
              : s.deps.writer.patch(ref, type, patch, options),
          delete: (ref, options) => s.deps.writer.delete(ref, options),
        };
        const report = await executePlan(s.plan.id, { ...s.deps, writer: refusingRestore });
        expect(report.execution.state).toBe('rollback-failed');
        expect(report.execution.error).toMatch(/forbidden/);
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('escalated');
        expect(await s.auditTypes()).toContain('execution.rollback.failed');
        expect(s.enqueued).toEqual([`learn:${s.plan.incidentId}:outcome`]);
      }, 60_000);

      it('does not PATCH again when resuming after a crash between the PATCH and recording it', async () => {
        const s = await scene();
        const crash = () => Promise.reject(new Error('simulated crash after the PATCH'));
        await expect(
          executePlan(s.plan.id, { ...s.deps, writer: crashingAfterPatch(s.deps.writer, crash) }),
        ).rejects.toThrow(/simulated crash/);
        const stopped = (await s.store.execution(s.plan.id)) as Execution;
        expect(stopped).toMatchObject({ state: 'applying', nextStep: 0 });
        expect(s.patches()).toHaveLength(1);

        // Two retries at once: one adopts the stopped execution, the other finds it owned.
        const reports = await Promise.all([executePlan(s.plan.id, s.deps), executePlan(s.plan.id, s.deps)]);
        const ran = reports.filter((r) => r.outcome === 'ran');
        expect(ran).toHaveLength(1);
        expect(ran[0]?.execution.state).toBe('succeeded');
        expect(s.patches()).toHaveLength(1);
        const applied = (await s.store.read({ incident: s.plan.incidentId })).filter(
          (e) => e.type === 'execution.step.applied',
        );
        expect(applied.map((e) => e.data['outcome'])).toEqual(['already-applied']);
      }, 60_000);

      it('adopts the execution of a run that died silently only once its lease ran out, without a second PATCH', async () => {
        const s = await scene();
        const leaseMs = 60_000;
        const hang = () => new Promise<never>(() => {});
        void executePlan(s.plan.id, { ...s.deps, leaseMs, writer: crashingAfterPatch(s.deps.writer, hang) });
        for (let i = 0; i < 200 && s.patches().length === 0; i += 1)
          await new Promise((r) => setTimeout(r, 25));
        expect(s.patches()).toHaveLength(1);

        const early = await executePlan(s.plan.id, { ...s.deps, leaseMs });
        expect(early.outcome).toBe('in-progress');
        s.clock.advance(leaseMs);
        const late = await executePlan(s.plan.id, { ...s.deps, leaseMs });
        expect(late).toMatchObject({ outcome: 'ran', execution: { state: 'succeeded' } });
        expect(s.patches()).toHaveLength(1);
      }, 60_000);

      it('applies once for a duplicate approval and for a retried job', async () => {
        const s = await scene();
        await s.store.transaction((tx) =>
          tx.recordApproval({
            planId: s.plan.id,
            incidentId: s.plan.incidentId,
            decision: 'approve',
            by: 'alice',
            via: 'cli',
            reason: null,
            at: s.clock.now().toISOString(),
          }),
        );
        const reports = await Promise.all([
          runExecuteStage(s.plan.incidentId, s.deps),
          runExecuteStage(s.plan.incidentId, s.deps),
        ]);
        // Whether the loser arrives while the winner runs or after it finished, it applies nothing.
        expect(reports.filter((r) => r.outcome === 'ran')).toHaveLength(1);
        expect(reports.filter((r) => r.outcome !== 'ran')[0]?.outcome).toMatch(/^(duplicate|in-progress)$/);
        const retried = await runExecuteStage(s.plan.incidentId, s.deps, { idempotencyKey: 'job-1' });
        expect(retried).toMatchObject({ outcome: 'duplicate', execution: { state: 'succeeded' } });
        expect(s.patches()).toHaveLength(1);
        expect(await s.auditTypes()).toContain('execution.duplicate');
      }, 60_000);

      it('does not start while the kill switch is on, and starts once it is off', async () => {
        const s = await scene();
        await s.store.transaction((tx) => tx.setSetting('paused', true));
        const refused = await executePlan(s.plan.id, s.deps).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(MedicError);
        expect((refused as MedicError).code).toBe(ErrorCodes.paused);
        expect(s.patches()).toHaveLength(0);
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('approved');
        expect((await s.store.execution(s.plan.id))?.state ?? 'pending').toBe('pending');
        expect(await s.auditTypes()).toContain('execution.skipped.paused');

        await s.store.transaction((tx) => tx.setSetting('paused', false));
        const report = await executePlan(s.plan.id, s.deps);
        expect(report.execution.state).toBe('succeeded');
        expect(s.patches()).toHaveLength(1);
      }, 60_000);

      it('stops between steps when the kill switch is turned on, and resumes with the next step', async () => {
        const s = await scene({ steps: (ns) => [raiseMemory(ns), keepFewerRevisions(ns)] });
        let paused = false;
        const pausing: ExecuteDeps = {
          ...s.deps,
          isPaused: async () => paused,
          onStep: () => (paused = true),
        };
        const refused = await executePlan(s.plan.id, pausing).catch((error: unknown) => error);
        expect((refused as MedicError).code).toBe(ErrorCodes.paused);
        expect(s.patches()).toHaveLength(1);
        expect(await s.store.execution(s.plan.id)).toMatchObject({ state: 'applying', nextStep: 1 });
        expect((await s.store.get(s.plan.incidentId))?.state).toBe('executing');

        paused = false;
        const report = await executePlan(s.plan.id, { ...pausing, onStep: () => {} });
        expect(report.execution.state).toBe('succeeded');
        expect(s.patches()).toHaveLength(2);
        expect((await s.live()).spec?.['revisionHistoryLimit']).toBe(4);
      }, 60_000);

      it('refuses to run a plan without the approvals its verdict requires', async () => {
        const s = await scene({
          verdict: { decision: 'needs-approval', reasons: [], approvers: 2, risk: 'high' },
        });
        const approve = (by: string) =>
          s.store.transaction((tx) =>
            tx.recordApproval({
              planId: s.plan.id,
              incidentId: s.plan.incidentId,
              decision: 'approve',
              by,
              via: 'http',
              reason: null,
              at: s.clock.now().toISOString(),
            }),
          );
        await approve('alice');
        await expect(runExecuteStage(s.plan.incidentId, s.deps)).rejects.toMatchObject({
          code: ErrorCodes.approvalRefused,
        });
        expect(s.patches()).toHaveLength(0);
        await approve('bob');
        const report = await runExecuteStage(s.plan.incidentId, s.deps);
        expect(report.execution.state).toBe('succeeded');
        expect(s.patches()).toHaveLength(1);
      }, 60_000);
    },
  );
}
