import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { KubeObject } from '../../domain/evidence/telemetry.js';
import type { ObjectRef, PatchType } from '../../domain/playbook.js';
import type { ClusterWriter, WriteOptions } from '../../ports/cluster-writer.js';
import { type ClusterReaderConfig, loadKubeConfig, toJson } from './reader.js';
import { writeCall } from './write-errors.js';

const contentTypes: Record<PatchType, PatchStrategy> = {
  'strategic-merge': PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
};

interface NamespacedArgs {
  name: string;
  namespace: string;
  body: unknown;
  dryRun?: string;
  fieldManager: string;
}

/** ClusterWriter over the Kubernetes API with @kubernetes/client-node. */
export class KubernetesClusterWriter implements ClusterWriter {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly autoscaling: AutoscalingV2Api;

  constructor(kc: KubeConfig) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
  }

  async patch(
    ref: ObjectRef,
    patchType: PatchType,
    patch: unknown,
    options: WriteOptions,
  ): Promise<KubeObject> {
    // Without this header every patch* call would send application/json-patch+json.
    const headers = setHeaderOptions('Content-Type', contentTypes[patchType]);
    const dryRun = options.dryRun ? { dryRun: 'All' } : {};
    const what = `${options.dryRun ? 'dry-run ' : ''}${patchType} patch ${describe(ref)}`;
    if (ref.kind === 'Node') {
      const args = { name: ref.name, body: patch, fieldManager: options.fieldManager, ...dryRun };
      const node = await writeCall(what, () => this.core.patchNode(args, headers));
      return toJson(node, 'V1Node', 'v1', 'Node');
    }
    const args: NamespacedArgs = {
      name: ref.name,
      namespace: namespaceOf(ref, 'patch'),
      body: patch,
      fieldManager: options.fieldManager,
      ...dryRun,
    };
    switch (ref.kind) {
      case 'Deployment': {
        const o = await writeCall(what, () => this.apps.patchNamespacedDeployment(args, headers));
        return toJson(o, 'V1Deployment', 'apps/v1', 'Deployment');
      }
      case 'StatefulSet': {
        const o = await writeCall(what, () => this.apps.patchNamespacedStatefulSet(args, headers));
        return toJson(o, 'V1StatefulSet', 'apps/v1', 'StatefulSet');
      }
      case 'DaemonSet': {
        const o = await writeCall(what, () => this.apps.patchNamespacedDaemonSet(args, headers));
        return toJson(o, 'V1DaemonSet', 'apps/v1', 'DaemonSet');
      }
      case 'HorizontalPodAutoscaler': {
        const run = () => this.autoscaling.patchNamespacedHorizontalPodAutoscaler(args, headers);
        const o = await writeCall(what, run);
        return toJson(o, 'V2HorizontalPodAutoscaler', 'autoscaling/v2', 'HorizontalPodAutoscaler');
      }
      case 'Pod': {
        const o = await writeCall(what, () => this.core.patchNamespacedPod(args, headers));
        return toJson(o, 'V1Pod', 'v1', 'Pod');
      }
      default:
        throw unsupported(ref, 'patch');
    }
  }

  async delete(ref: ObjectRef, options: WriteOptions): Promise<void> {
    if (ref.kind !== 'Pod') throw unsupported(ref, 'delete');
    const args = {
      name: ref.name,
      namespace: namespaceOf(ref, 'delete'),
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    };
    await writeCall(`${options.dryRun ? 'dry-run ' : ''}delete ${describe(ref)}`, () =>
      this.core.deleteNamespacedPod(args),
    );
  }
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

function namespaceOf(ref: ObjectRef, verb: string): string {
  if (ref.namespace === undefined) {
    throw new MedicError(
      ErrorCodes.clusterInvalid,
      `kubernetes: ${verb} ${describe(ref)}: a namespace is required`,
    );
  }
  return ref.namespace;
}

function unsupported(ref: ObjectRef, verb: string): MedicError {
  return new MedicError(
    ErrorCodes.clusterInvalid,
    `kubernetes: ${verb} ${describe(ref)}: medic does not ${verb} ${ref.kind} objects`,
  );
}

export function createClusterWriter(config: ClusterReaderConfig = {}): ClusterWriter {
  return new KubernetesClusterWriter(loadKubeConfig(config));
}
