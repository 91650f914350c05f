import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { type Draft, refOf, type Target } from '../../src/domain/draft.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { DryRunResult, Plan } from '../../src/domain/plan.js';
import type { ObjectRef, PlaybookCatalog, RenderedStep } from '../../src/domain/playbook.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import type { ObjectRef as ReadRef } from '../../src/ports/cluster.js';
import type { ClusterWriter } from '../../src/ports/cluster-writer.js';
import type { MetricsSource } from '../../src/ports/metrics-source.js';
import { defaultPlaybookDir, loadCatalog } from '../../src/runner/catalog.js';
import { type ExecuteDeps, executePlan } from '../../src/runner/execute.js';
import { objectDiff } from '../../src/runner/object-diff.js';
import { renderSteps } from '../../src/runner/render.js';
import { fakeClock, incidentFixture, metricsWorld, planFixture, restartsWorld } from './execute-fixtures.js';

/**
 * One cluster's worth of the oom-checkout world: Deployment `checkout` (3 replicas of container `app`
 * at image 1.14.2, revision 2) with the ReplicaSet of revision 1 (image 1.14.1), its pods, the HPA
 * `checkout` (3..6) and a Node.
 */
export interface E2EWorld {
  kubeconfigYaml: string;
  namespace: string;
  /** A Node to cordon. */
  node: string;
  /** A pod of checkout to delete. */
  pod: string;
  /** Every request medic's client sent, as `METHOD path?query`. */
  requests(): string[];
  /** What the kubelet would do between two polls (pods become ready); nothing for the replay server. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export interface E2ECluster {
  prepare(): Promise<E2EWorld>;
  close(): Promise<void>;
}

export const IMAGE = 'registry.example.com/shop/checkout';
const DEPLOYMENT = 'checkout';

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
/** The first container of a workload's pod template. */
const appContainer = (object: KubeObject): Json => {
  const containers = record(record(object.spec?.['template'])['spec'])['containers'];
  return record(Array.isArray(containers) ? containers[0] : undefined);
};

/** The lines a diff adds or removes, without headers and without lines that only open a map or hold `{}`. */
export function changedLines(diff: string): string[] {
  return diff
    .split('\n')
    .filter((line) => /^[+-]/.test(line) && !/^(\+\+\+|---) /.test(line))
    .filter((line) => !/^[+-]\s*(- )?[^\s:]+:( \{\})?$/.test(line));
}

interface PlaybookCase {
  playbook: string;
  target(w: E2EWorld): Target;
  params: Record<string, unknown>;
  verdict: Plan['verdict']['decision'];
  /** The rollout the runner has to wait for, as the playbook's `wait` says. */
  waits: boolean;
  /** Exactly what the dry-run diff adds and removes (see changedLines). */
  changed(w: E2EWorld): string[];
  /** The verification's last line, with the replay metrics of restartsWorld('steady'). */
  verified: RegExp;
  /** Asserts the live object after the execution carries the change; null when the object is gone. */
  applied(live: KubeObject | null, w: E2EWorld): void;
}

const deploymentOf = (w: E2EWorld): Target => ({
  kind: 'Deployment',
  namespace: w.namespace,
  name: DEPLOYMENT,
});
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** Restarts judged on the steady replay series; the error ratio has no data there. */
const ROLLED_OUT =
  /^verification passed with a note: 1 of 2 conditions had no data; the change applied and rolled out$/;

const cases: PlaybookCase[] = [
  {
    playbook: 'rollout-restart',
    target: deploymentOf,
    params: {},
    verdict: 'auto-approved',
    waits: true,
    verified: ROLLED_OUT,
    changed: () => [`+        ${RESTARTED_AT}: 2026-03-01T10:10:00Z`],
    applied: (live) => {
      const annotations = record(record(record(live?.spec?.['template'])['metadata'])['annotations']);
      expect(annotations[RESTARTED_AT]).toBe('2026-03-01T10:10:00Z');
    },
  },
  {
    playbook: 'scale',
    target: deploymentOf,
    params: { replicas: 4 },
    verdict: 'needs-approval',
    waits: true,
    verified: ROLLED_OUT,
    changed: () => ['-  replicas: 3', '+  replicas: 4'],
    applied: (live) => expect(live?.spec?.['replicas']).toBe(4),
  },
  {
    playbook: 'set-resources',
    target: deploymentOf,
    params: { container: 'app', 'limits.memory': '1Gi', 'requests.memory': '768Mi' },
    verdict: 'needs-approval',
    waits: true,
    verified: ROLLED_OUT,
    changed: () => [
      '-              memory: 512Mi',
      '+              memory: 1Gi',
      '-              memory: 384Mi',
      '+              memory: 768Mi',
    ],
    applied: (live) =>
      expect(appContainer(live as KubeObject)['resources']).toEqual({
        requests: { cpu: '250m', memory: '768Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      }),
  },
  {
    playbook: 'rollback',
    target: deploymentOf,
    params: {},
    verdict: 'needs-approval',
    waits: true,
    verified: ROLLED_OUT,
    changed: () => [`-          image: ${IMAGE}:1.14.2`, `+          image: ${IMAGE}:1.14.1`],
    applied: (live) => expect(appContainer(live as KubeObject)['image']).toBe(`${IMAGE}:1.14.1`),
  },
  {
    playbook: 'set-probe',
    target: deploymentOf,
    params: { container: 'app', probe: 'liveness', initialDelaySeconds: 30, failureThreshold: 5 },
    verdict: 'needs-approval',
    waits: true,
    verified: ROLLED_OUT,
    changed: () => [
      '-            failureThreshold: 3',
      '+            failureThreshold: 5',
      '-            initialDelaySeconds: 10',
      '+            initialDelaySeconds: 30',
    ],
    applied: (live) =>
      expect(appContainer(live as KubeObject)['livenessProbe']).toMatchObject({
        initialDelaySeconds: 30,
        failureThreshold: 5,
        periodSeconds: 10,
        timeoutSeconds: 1,
      }),
  },
  {
    playbook: 'set-hpa-bounds',
    target: (w) => ({ kind: 'HorizontalPodAutoscaler', namespace: w.namespace, name: DEPLOYMENT }),
    params: { maxReplicas: 10 },
    verdict: 'needs-approval',
    waits: false,
    verified: /^verification passed with a note: 1 of 1 conditions had no data/,
    changed: () => ['-  maxReplicas: 6', '+  maxReplicas: 10'],
    applied: (live) => expect(live?.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 }),
  },
  {
    playbook: 'delete-pod',
    target: (w) => ({ kind: 'Pod', namespace: w.namespace, name: w.pod }),
    params: {},
    verdict: 'auto-approved',
    waits: false,
    // The replacement pods are judged through their workload, whose steady series holds.
    verified: /^verification passed: 1 conditions held$/,
    // Checked apart: a delete's diff removes every line of the pod and adds none.
    changed: () => [],
    applied: (live) => expect(live).toBeNull(),
  },
  {
    playbook: 'cordon-node',
    target: (w) => ({ kind: 'Node', name: w.node }),
    params: {},
    verdict: 'needs-approval',
    waits: false,
    verified: /^verification passed: the playbook has no verify conditions$/,
    changed: () => ['+  unschedulable: true'],
    applied: (live) => expect(live?.spec?.['unschedulable']).toBe(true),
  },
];

/** Non-dry-run writes medic's client sent: the requests that changed something. */
const writesOf = (w: E2EWorld) =>
  w.requests().filter((r) => /^(PATCH|DELETE) /.test(r) && !r.includes('dryRun='));

const plurals: Record<string, string> = {
  Deployment: 'deployments',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  Pod: 'pods',
  Node: 'nodes',
};

/** The object's path below the API group and version, as it appears in a request. */
const pathOf = (ref: ObjectRef): string => {
  const plural = plurals[ref.kind];
  if (!plural) throw new Error(`no path for ${ref.kind}`);
  return ref.namespace === undefined
    ? `/${plural}/${ref.name}`
    : `/namespaces/${ref.namespace}/${plural}/${ref.name}`;
};

async function dryRunDiffs(
  steps: RenderedStep[],
  live: KubeObject,
  writer: ClusterWriter,
): Promise<DryRunResult[]> {
  const options = { dryRun: true, fieldManager: 'medic' };
  const results: DryRunResult[] = [];
  for (const step of steps) {
    const label = `${step.ref.kind} ${step.ref.name}`;
    if (step.action === 'delete') {
      await writer.delete(step.ref, options);
      results.push({ ref: step.ref, ok: true, message: null, diff: objectDiff(live, null, label) });
    } else {
      const after = await writer.patch(step.ref, step.patchType, step.patch, options);
      results.push({ ref: step.ref, ok: true, message: null, diff: objectDiff(live, after, label) });
    }
  }
  return results;
}

/**
 * Every acting playbook of the repository, end to end through the real client-node adapters: the
 * catalog renders the draft, the server dry-runs it (the diff shows exactly the change and nothing is
 * stored), the runner applies it once, waits for the rollout where the playbook waits, verifies it and
 * resolves the incident.
 */
export function playbooksE2EContract(
  name: string,
  start: () => Promise<E2ECluster>,
  options: { skipReason: string | null; rolloutPolls: number },
) {
  const { skipReason } = options;
  describe.skipIf(skipReason !== null)(
    `every playbook end to end: ${name}${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
    () => {
      let cluster: E2ECluster;
      let catalog: PlaybookCatalog;
      const open: Array<() => Promise<void>> = [];

      beforeAll(async () => {
        catalog = await loadCatalog(defaultPlaybookDir());
        cluster = await start();
      }, 180_000);
      afterAll(async () => {
        await cluster?.close();
      });
      afterEach(async () => {
        for (const close of open.splice(0)) await close();
      });

      /** A fresh world, the case's draft rendered and dry-run, and its approved plan in a real store. */
      async function scene(c: PlaybookCase, metrics: (namespace: string) => Promise<MetricsSource>) {
        const w = await cluster.prepare();
        const dir = mkdtempSync(join(tmpdir(), 'medic-e2e-'));
        const store = new SqliteStore(join(dir, 'medic.db'));
        open.push(async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
          await w.close();
        });
        const config = { kubeconfigYaml: w.kubeconfigYaml };
        const reader = createClusterReader(config);
        const writer = createClusterWriter(config);
        const clock = fakeClock();

        const playbook = catalog.get(c.playbook);
        if (!playbook) throw new Error(`the catalog has no ${c.playbook}`);
        expect(catalog.checkParams(c.playbook, c.params)).toEqual([]);
        const target = c.target(w);
        const ref = refOf(target);
        const object = await reader.get(ref as ReadRef);
        if (!object) throw new Error(`${c.playbook}: the target ${pathOf(ref)} does not exist`);
        const replicaSets =
          target.kind === 'Deployment' ? await reader.replicaSets(w.namespace, `app=${DEPLOYMENT}`) : [];
        const steps = renderSteps(playbook, {
          target: ref,
          params: c.params,
          object,
          replicaSets,
          now: clock.now(),
        });
        const dryRun = await dryRunDiffs(steps, object, writer);

        const incidentId = `inc-e2e-${c.playbook}`;
        const draft: Draft = {
          diagnosis: `checkout needs ${c.playbook}`,
          confidence: 0.8,
          playbook: c.playbook,
          target,
          params: c.params,
          rationale: 'end-to-end test',
          evidence_refs: [],
          risk_notes: [],
        };
        const verdict: Plan['verdict'] =
          c.verdict === 'auto-approved'
            ? { decision: 'auto-approved', reasons: [], approvers: 0, risk: 'low' }
            : { decision: 'needs-approval', reasons: [], approvers: 1, risk: 'medium' };
        const plan: Plan = {
          ...planFixture(incidentId, w.namespace, steps, verdict),
          playbook: c.playbook,
          target: ref,
          params: c.params,
          draft,
          dryRun,
        };
        await store.transaction(async (tx) => {
          await tx.insertIncident(incidentFixture(incidentId, w.namespace));
          await tx.savePlan(plan);
          if (c.verdict === 'needs-approval') {
            await tx.recordApproval({
              planId: plan.id,
              incidentId,
              decision: 'approve',
              by: 'alice',
              via: 'cli',
              reason: null,
              at: clock.now().toISOString(),
            });
          }
        });

        const enqueued: string[] = [];
        const deps: ExecuteDeps = {
          store,
          writer,
          reader,
          metrics: await metrics(w.namespace),
          catalog,
          stages: { enqueue: async (stage, incident) => void enqueued.push(`${stage}:${incident}`) },
          clock,
          sleep: async (ms) => {
            clock.advance(ms);
            await w.tick();
          },
          logger: pino({ level: 'silent' }),
          fieldManager: 'medic',
          pollIntervalMs: 1000,
        };
        return { w, store, reader, ref, object, steps, dryRun, plan, deps, enqueued, incidentId };
      }

      it.each(cases)(
        '$playbook: dry-run diff, one apply, rollout, verification',
        async (c) => {
          const s = await scene(c, (namespace) => restartsWorld('steady', namespace));
          const { w, reader, ref, object, steps } = s;

          // 1. The server-side dry-run shows exactly the change, and stores nothing.
          expect(steps.length).toBeGreaterThan(0);
          if (c.playbook === 'delete-pod') {
            const diff = s.dryRun[0]?.diff ?? '';
            expect(diff).toContain(`-  name: ${w.pod}`);
            expect(diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toEqual([]);
            expect((await reader.get(ref as ReadRef))?.metadata.uid).toBe(object.metadata.uid);
          } else {
            expect(s.dryRun.map((r) => changedLines(r.diff))).toEqual([c.changed(w)]);
            expect(objectDiff(object, await reader.get(ref as ReadRef), 'unchanged')).toBe('');
          }
          expect(writesOf(w)).toEqual([]);

          // 2. The runner applies once, waits where the playbook waits, verifies, resolves.
          const sentBefore = w.requests().length;
          const report = await executePlan(s.plan.id, s.deps);
          const sentByRun = w.requests().slice(sentBefore);
          const live = await reader.get(ref as ReadRef);
          expect(report.outcome).toBe('ran');
          expect(report.execution.error).toBeNull();
          expect(report.execution.state).toBe('succeeded');
          expect((await s.store.get(s.incidentId))?.state).toBe('resolved');
          expect(s.enqueued).toEqual([`learn:${s.incidentId}`]);
          c.applied(live, w);

          const writes = writesOf(w);
          expect(writes).toHaveLength(steps.length);
          steps.forEach((step, k) => {
            expect(writes[k]).toMatch(step.action === 'delete' ? /^DELETE / : /^PATCH /);
            expect(writes[k]).toContain(pathOf(step.ref));
          });

          const verification = report.execution.verification;
          const audit = (await s.store.read({ incident: s.incidentId })).map((e) => e.type);
          expect(audit).toEqual(
            expect.arrayContaining(['execution.started', 'execution.step.applied', 'execution.verified']),
          );
          expect(verification.at(-1)).toMatch(c.verified);
          if (c.waits) {
            expect(verification).toContain(
              `execution rollout of Deployment ${w.namespace}/${DEPLOYMENT}: deployment "${DEPLOYMENT}" successfully rolled out`,
            );
            expect(audit).toContain('execution.rollout.done');
            expect(verification.join('\n')).toMatch(/passed: container_restarts_total not-increasing/);
            // Pods only become ready between two polls (tick), so a finished rollout means the runner waited.
            expect(rolloutStatus(live as KubeObject).done).toBe(true);
            const polls = sentByRun
              .slice(sentByRun.indexOf(writes[0] ?? '') + 1)
              .filter((r) => r.startsWith(`GET /apis/apps/v1${pathOf(ref)}`));
            expect(polls.length).toBeGreaterThanOrEqual(options.rolloutPolls);
          } else {
            expect(verification.join('\n')).not.toMatch(/rollout of/);
            expect(audit).not.toContain('execution.rollout.done');
          }
        },
        120_000,
      );

      // delete-pod replaces the pod under a new name: verification must judge the replacements through
      // the pod's controller workload, or a crash-looping replacement would pass.
      it('delete-pod: the verification judges the replacement pods and fails when they crash-loop', async () => {
        const deletePod = cases.find((c) => c.playbook === 'delete-pod') as PlaybookCase;
        const replacementCrashLoops = (namespace: string) =>
          metricsWorld([
            {
              signal: 'container_restarts_total',
              labels: { namespace, pod: `${DEPLOYMENT}-7d9f8b6c5-rplcd`, container: 'app' },
              values: '0+1x40',
            },
          ]);
        const s = await scene(deletePod, replacementCrashLoops);
        const report = await executePlan(s.plan.id, s.deps);
        expect(writesOf(s.w)).toHaveLength(1);
        expect(report.execution.verification.join('\n')).toMatch(
          /failed: container_restarts_total not-increasing/,
        );
        expect(report.execution.state).toBe('failed');
      }, 120_000);
    },
  );
}
