import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, MedicError } from '../../src/domain/errors.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import type { ClusterReader } from '../../src/ports/cluster.js';
import { contractNamespace, contractObjects, forbiddenNamespace } from './contract-objects.js';

export { contractNamespace, contractObjects, forbiddenNamespace } from './contract-objects.js';

export interface ClusterHandle {
  /** A reader whose credentials may read everything except `forbiddenNamespace`. */
  reader: ClusterReader;
  close(): Promise<void>;
}

export interface ClusterUnderTest {
  /**
   * Starts (or connects to) a cluster holding `objects`, which live in `contractNamespace`,
   * `forbiddenNamespace` and at cluster scope (Nodes). A real control plane creates the namespaces
   * and objects (status through the status subresource where it keeps it) and hands back a reader
   * bound to a ServiceAccount that RBAC keeps out of `forbiddenNamespace`.
   */
  start(objects: readonly KubeObject[]): Promise<ClusterHandle>;
  /** Whether status blocks read back as written (replay: yes; a bare kube-apiserver: for most kinds). */
  preservesStatus: boolean;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ns = contractNamespace;
const names = (objects: KubeObject[]) => objects.map((o) => o.metadata.name);

/** What every ClusterReader must do against a cluster, replayed or real. */
export function clusterReaderContract(name: string, cluster: ClusterUnderTest): void {
  describe(`ClusterReader contract: ${name}`, () => {
    let handle: ClusterHandle;
    let reader: ClusterReader;

    beforeAll(async () => {
      handle = await cluster.start(contractObjects());
      reader = handle.reader;
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('gets each workload kind as API JSON', async () => {
      const deployment = await reader.get({ kind: 'Deployment', namespace: ns, name: 'web' });
      expect(deployment).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
        spec: { replicas: 2, template: { spec: { containers: [{ name: 'app' }] } } },
      });
      expect(deployment?.metadata.creationTimestamp).toMatch(RFC3339);
      expect(JSON.parse(JSON.stringify(deployment))).toEqual(deployment);

      const sts = await reader.get({ kind: 'StatefulSet', namespace: ns, name: 'db' });
      expect(sts).toMatchObject({ apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { serviceName: 'db' } });
      const ds = await reader.get({ kind: 'DaemonSet', namespace: ns, name: 'agent' });
      expect(ds).toMatchObject({ kind: 'DaemonSet', metadata: { name: 'agent' } });
      const hpa = await reader.get({ kind: 'HorizontalPodAutoscaler', namespace: ns, name: 'web' });
      expect(hpa).toMatchObject({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        spec: { minReplicas: 2, maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'web' } },
      });
      const pod = await reader.get({ kind: 'Pod', namespace: ns, name: 'web-6b7c8d9f5-a1b2c' });
      expect(pod).toMatchObject({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app' }] } });
    });

    it('gets a Node without a namespace', async () => {
      const node = await reader.get({ kind: 'Node', name: 'contract-node-a' });
      expect(node).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'contract-node-a' } });
    });

    it('answers null for objects that do not exist', async () => {
      expect(await reader.get({ kind: 'Deployment', namespace: ns, name: 'absent' })).toBeNull();
      expect(await reader.get({ kind: 'Pod', namespace: ns, name: 'absent' })).toBeNull();
      expect(await reader.get({ kind: 'Node', name: 'contract-node-absent' })).toBeNull();
    });

    it('lists pods by label selector', async () => {
      const all = await reader.pods(ns);
      expect(names(all).sort()).toEqual([
        'db-0',
        'web-5a6b7c8d9-z9y8x',
        'web-6b7c8d9f5-a1b2c',
        'web-6b7c8d9f5-d3e4f',
      ]);
      expect(all.every((p) => p.apiVersion === 'v1' && p.kind === 'Pod')).toBe(true);
      const pick = async (selector: string) => names(await reader.pods(ns, selector)).sort();
      expect(await pick('app=web')).toEqual([
        'web-5a6b7c8d9-z9y8x',
        'web-6b7c8d9f5-a1b2c',
        'web-6b7c8d9f5-d3e4f',
      ]);
      expect(await pick('app=web,pod-template-hash=6b7c8d9f5')).toEqual([
        'web-6b7c8d9f5-a1b2c',
        'web-6b7c8d9f5-d3e4f',
      ]);
      expect(await pick('app in (db, cache)')).toEqual(['db-0']);
      expect(await pick('app notin (web)')).toEqual(['db-0']);
      expect(await pick('app!=web')).toEqual(['db-0']);
      expect(await pick('canary')).toEqual(['web-5a6b7c8d9-z9y8x']);
      expect(await pick('app=web,!canary')).toEqual(['web-6b7c8d9f5-a1b2c', 'web-6b7c8d9f5-d3e4f']);
      expect(await pick('app=nothing')).toEqual([]);
    });

    it('lists ReplicaSets newest revision first, comparing revisions as numbers', async () => {
      const sets = await reader.replicaSets(ns, 'app=web');
      expect(names(sets)).toEqual(['web-6b7c8d9f5', 'web-5a6b7c8d9', 'web-4f5a6b7c8']);
      expect(sets.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'])).toEqual([
        '10',
        '9',
        '2',
      ]);
      expect(sets.every((rs) => rs.kind === 'ReplicaSet' && rs.apiVersion === 'apps/v1')).toBe(true);
    });

    it('lists events in a namespace, or about one object, oldest first', async () => {
      const all = await reader.events(ns);
      expect(all.map((e) => e['reason'])).toEqual(['Scheduled', 'BackOff', 'Killing']);
      expect(all.every((e) => e.kind === 'Event' && e.apiVersion === 'v1')).toBe(true);
      const about = await reader.events(ns, 'web-6b7c8d9f5-a1b2c');
      expect(about.map((e) => e['reason'])).toEqual(['Scheduled', 'BackOff']);
      expect(about[1]).toMatchObject({
        type: 'Warning',
        involvedObject: { kind: 'Pod', name: 'web-6b7c8d9f5-a1b2c' },
        count: 4,
      });
      expect(about[1]?.['lastTimestamp']).toMatch(RFC3339);
      expect(await reader.events(ns, 'nobody')).toEqual([]);
    });

    it('lists HorizontalPodAutoscalers and nodes', async () => {
      expect(names(await reader.horizontalPodAutoscalers(ns))).toEqual(['web']);
      const nodes = names(await reader.nodes());
      expect(nodes).toEqual(expect.arrayContaining(['contract-node-a', 'contract-node-b']));
    });

    it.runIf(cluster.preservesStatus)('keeps status blocks', async () => {
      const pod = await reader.get({ kind: 'Pod', namespace: ns, name: 'web-6b7c8d9f5-a1b2c' });
      expect(pod?.status).toMatchObject({
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            restartCount: 4,
            lastState: {
              terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-03-01T10:01:20Z' },
            },
          },
        ],
      });
      const deployment = await reader.get({ kind: 'Deployment', namespace: ns, name: 'web' });
      expect(deployment?.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    });

    it('turns RBAC denials into MedicErrors that name the namespace', async () => {
      const attempts: Array<() => Promise<unknown>> = [
        () => reader.get({ kind: 'Deployment', namespace: forbiddenNamespace, name: 'secret-web' }),
        () => reader.pods(forbiddenNamespace),
        () => reader.events(forbiddenNamespace, 'secret-web'),
        () => reader.replicaSets(forbiddenNamespace, 'app=secret-web'),
        () => reader.horizontalPodAutoscalers(forbiddenNamespace),
      ];
      for (const attempt of attempts) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MedicError);
        expect((error as MedicError).code).toBe(ErrorCodes.unauthorized);
        expect((error as MedicError).message).toContain(forbiddenNamespace);
        expect((error as MedicError).details).toMatchObject({ status: 403, namespace: forbiddenNamespace });
      }
    });

    it('refuses a namespaced get without a namespace', async () => {
      await expect(reader.get({ kind: 'Deployment', name: 'web' })).rejects.toMatchObject({
        code: ErrorCodes.badRequest,
      });
    });
  });
}
