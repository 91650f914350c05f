import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { ObjectRef } from '../../src/domain/playbook.js';
import { rolloutStatus } from '../../src/domain/rollout.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import type { ClusterWriter, WriteOptions } from '../../src/ports/cluster-writer.js';
import { writerNamespace, writerNode, writerObjects } from './writer-objects.js';

export { writerNamespace, writerNode, writerObjects } from './writer-objects.js';

export interface WriterHandle {
  writer: ClusterWriter;
  reader: ClusterReader;
  /** A writer whose credentials may only read (used when the cluster has `rbac`). */
  readOnlyWriter: ClusterWriter | null;
  /** Does what kubelets would do meanwhile (marks new pods ready); nothing where the cluster fakes it. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface WriterClusterUnderTest {
  /** Starts (or connects to) a cluster holding `objects`, which live in `writerNamespace` and at cluster scope. */
  start(objects: readonly KubeObject[]): Promise<WriterHandle>;
  /** Whether RBAC can refuse a write with 403 (a real API server; the replay server has no RBAC). */
  rbac: boolean;
}

const ns = writerNamespace;
const apply: WriteOptions = { dryRun: false, fieldManager: 'medic-test' };
const dryRun: WriteOptions = { dryRun: true, fieldManager: 'medic-test' };
const web: ObjectRef = { kind: 'Deployment', namespace: ns, name: 'web' };
const REVISION = 'deployment.kubernetes.io/revision';

interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
const containers = (o: KubeObject | null) =>
  (o?.spec?.['template'] as { spec: { containers: Container[] } } | undefined)?.spec.containers ?? [];
const container = (o: KubeObject | null, name: string) => containers(o).find((c) => c.name === name);
const resourceVersion = (o: KubeObject | null) => o?.metadata['resourceVersion'];

async function failure(promise: Promise<unknown>): Promise<MedicError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MedicError);
  return error as MedicError;
}

/** What every ClusterWriter must do against a cluster, replayed or real, through @kubernetes/client-node. */
export function clusterWriterContract(name: string, cluster: WriterClusterUnderTest): void {
  describe(`ClusterWriter contract: ${name}`, () => {
    let handle: WriterHandle;
    let writer: ClusterWriter;
    let reader: ClusterReader;

    const get = async (ref: ObjectRef) => {
      const object = await reader.get(ref as Parameters<ClusterReader['get']>[0]);
      expect(object).not.toBeNull();
      return object as KubeObject;
    };

    /** Polls (settling pods in between) until kubectl would call the rollout done. */
    const rolledOut = (ref: ObjectRef) =>
      vi.waitFor(
        async () => {
          await handle.settle();
          const status = rolloutStatus(await get(ref));
          expect(status.failed).toBe(false);
          expect(status.done, status.message).toBe(true);
        },
        { timeout: 60_000, interval: 200 },
      );

    beforeAll(async () => {
      handle = await cluster.start(writerObjects());
      writer = handle.writer;
      reader = handle.reader;
    }, 120_000);
    afterAll(async () => {
      await handle?.close();
    });

    it('dry-runs a patch: answers the patched object and stores nothing', async () => {
      const before = await get(web);
      const patch = {
        spec: {
          template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '192Mi' } } }] } },
        },
      };
      const answered = await writer.patch(web, 'strategic-merge', patch, dryRun);
      expect(answered).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
      });
      expect(container(answered, 'app')?.resources?.limits?.['memory']).toBe('192Mi');
      const after = await get(web);
      expect(container(after, 'app')?.resources?.limits?.['memory']).toBe('128Mi');
      expect(resourceVersion(after)).toBe(resourceVersion(before));
    });

    it("strategic-merges one container's resources and leaves the other container alone", async () => {
      const before = await get(web);
      const patch = {
        spec: {
          template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '256Mi' } } }] } },
        },
      };
      const answered = await writer.patch(web, 'strategic-merge', patch, apply);
      expect(container(answered, 'app')?.resources).toEqual({
        requests: { cpu: '100m', memory: '64Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      });
      expect(container(answered, 'sidecar')).toEqual(container(before, 'sidecar'));
      expect(answered.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
      expect(resourceVersion(answered)).not.toBe(resourceVersion(before));
      expect(container(await get(web), 'app')?.resources?.limits?.['memory']).toBe('256Mi');
    });

    it('merge-patches replicas and the HorizontalPodAutoscaler', async () => {
      const answered = await writer.patch(web, 'merge', { spec: { replicas: 3 } }, apply);
      expect(answered.spec?.['replicas']).toBe(3);
      expect((await get(web)).spec?.['replicas']).toBe(3);
      const hpa: ObjectRef = { kind: 'HorizontalPodAutoscaler', namespace: ns, name: 'web' };
      const scaled = await writer.patch(hpa, 'merge', { spec: { maxReplicas: 6 } }, apply);
      expect(scaled).toMatchObject({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        spec: { minReplicas: 2, maxReplicas: 6 },
      });
    });

    it('replaces /spec/template with a JSON patch', async () => {
      const current = await get(web);
      const template = structuredClone(current.spec?.['template']) as {
        metadata: { annotations?: Record<string, string> };
      };
      template.metadata.annotations = { 'medic.dev/replaced': 'yes' };
      const answered = await writer.patch(
        web,
        'json',
        [{ op: 'replace', path: '/spec/template', value: template }],
        apply,
      );
      expect((answered.spec?.['template'] as typeof template | undefined)?.metadata.annotations).toEqual({
        'medic.dev/replaced': 'yes',
      });
      expect(containers(answered).map((c) => c.name)).toEqual(['app', 'sidecar']);
    });

    it('deletes a pod, and a dry-run delete keeps it', async () => {
      const pod: ObjectRef = { kind: 'Pod', namespace: ns, name: 'standalone' };
      await writer.delete(pod, dryRun);
      expect(await reader.get(pod as Parameters<ClusterReader['get']>[0])).not.toBeNull();
      await writer.delete(pod, apply);
      expect(await reader.get(pod as Parameters<ClusterReader['get']>[0])).toBeNull();
    });

    it('cordons a node with a merge patch', async () => {
      const node: ObjectRef = { kind: 'Node', name: writerNode };
      const answered = await writer.patch(node, 'merge', { spec: { unschedulable: true } }, apply);
      expect(answered.spec?.['unschedulable']).toBe(true);
      expect((await get(node)).spec?.['unschedulable']).toBe(true);
    });

    it('refuses a patch carrying a stale resourceVersion with a conflict', async () => {
      const stale = resourceVersion(await get(web));
      await writer.patch(web, 'merge', { metadata: { annotations: { 'medic.dev/touched': '1' } } }, apply);
      const patch = { metadata: { resourceVersion: stale }, spec: { replicas: 2 } };
      const error = await failure(writer.patch(web, 'merge', patch, apply));
      expect(error.code).toBe(ErrorCodes.clusterConflict);
      expect(error.message).toMatch(/the object has been modified/);
      expect(error.details).toMatchObject({ status: 409, reason: 'Conflict' });
      expect((await get(web)).spec?.['replicas']).toBe(3);
    });

    it('refuses invalid specs with the API server reason', async () => {
      const negative = await failure(writer.patch(web, 'merge', { spec: { replicas: -1 } }, apply));
      expect(negative.code).toBe(ErrorCodes.clusterInvalid);
      expect(negative.message).toMatch(
        /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/,
      );
      expect(negative.details).toMatchObject({ status: 422, reason: 'Invalid' });
      const above = {
        spec: {
          template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '2' } } }] } },
        },
      };
      const tooBig = await failure(writer.patch(web, 'strategic-merge', above, dryRun));
      expect(tooBig.code).toBe(ErrorCodes.clusterInvalid);
      expect(tooBig.message).toMatch(/must be less than or equal to cpu limit/);
    });

    it('reports unknown objects as not found', async () => {
      const missing: ObjectRef = { kind: 'Deployment', namespace: ns, name: 'nope' };
      const patched = await failure(writer.patch(missing, 'merge', { spec: { replicas: 1 } }, apply));
      expect(patched.code).toBe(ErrorCodes.clusterNotFound);
      expect(patched.message).toMatch(/deployments.apps "nope" not found/);
      const deleted = await failure(writer.delete({ kind: 'Pod', namespace: ns, name: 'nope' }, apply));
      expect(deleted.code).toBe(ErrorCodes.clusterNotFound);
    });

    // Skipped for the replay server, which has no RBAC: only a real API server answers this 403.
    it.skipIf(!cluster.rbac)('refuses writes from credentials that may only read (403)', async () => {
      const readOnly = handle.readOnlyWriter;
      if (readOnly === null) throw new Error('a cluster with rbac must hand over a readOnlyWriter');
      const error = await failure(readOnly.patch(web, 'merge', { spec: { replicas: 1 } }, dryRun));
      expect(error.code).toBe(ErrorCodes.clusterForbidden);
      expect(error.message).toMatch(/cannot patch resource "deployments"/);
    });

    it('rolls a template change out to a new ReplicaSet until kubectl would call it done', async () => {
      const api: ObjectRef = { kind: 'Deployment', namespace: ns, name: 'api' };
      await rolledOut(api);
      const before = Number((await get(api)).metadata.annotations?.[REVISION] ?? 0);
      const restartedAt = new Date().toISOString();
      const patch = {
        spec: {
          template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } },
        },
      };
      await writer.patch(api, 'strategic-merge', patch, apply);
      await rolledOut(api);
      const after = await get(api);
      expect(after.metadata.annotations?.[REVISION]).toBe(String(before + 1));
      expect(after.status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 });
      const [newest] = await reader.replicaSets(ns, 'app=api');
      expect(newest?.metadata.annotations?.[REVISION]).toBe(String(before + 1));
      expect(newest?.metadata.labels?.['pod-template-hash']).toMatch(/^[a-z0-9]+$/);
      const template = newest?.spec?.['template'] as { metadata: { annotations?: Record<string, string> } };
      expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(restartedAt);
    });
  });
}
