import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';

type StatusWriter = (kc: KubeConfig, object: KubeObject, body: unknown) => Promise<unknown>;

const ns = (object: KubeObject) => object.metadata.namespace ?? 'default';

// Status lives behind its own subresource: a create ignores it, so it is written in a second call.
const statusWriters: Record<string, { model: string; write: StatusWriter }> = {
  Deployment: {
    model: 'V1Deployment',
    write: (kc, o, body) =>
      kc
        .makeApiClient(AppsV1Api)
        .replaceNamespacedDeploymentStatus({ name: o.metadata.name, namespace: ns(o), body: body as never }),
  },
  ReplicaSet: {
    model: 'V1ReplicaSet',
    write: (kc, o, body) =>
      kc
        .makeApiClient(AppsV1Api)
        .replaceNamespacedReplicaSetStatus({ name: o.metadata.name, namespace: ns(o), body: body as never }),
  },
  StatefulSet: {
    model: 'V1StatefulSet',
    write: (kc, o, body) =>
      kc
        .makeApiClient(AppsV1Api)
        .replaceNamespacedStatefulSetStatus({ name: o.metadata.name, namespace: ns(o), body: body as never }),
  },
  DaemonSet: {
    model: 'V1DaemonSet',
    write: (kc, o, body) =>
      kc
        .makeApiClient(AppsV1Api)
        .replaceNamespacedDaemonSetStatus({ name: o.metadata.name, namespace: ns(o), body: body as never }),
  },
  Pod: {
    model: 'V1Pod',
    write: (kc, o, body) =>
      kc
        .makeApiClient(CoreV1Api)
        .replaceNamespacedPodStatus({ name: o.metadata.name, namespace: ns(o), body: body as never }),
  },
  Node: {
    model: 'V1Node',
    write: (kc, o, body) =>
      kc.makeApiClient(CoreV1Api).replaceNodeStatus({ name: o.metadata.name, body: body as never }),
  },
  HorizontalPodAutoscaler: {
    model: 'V2HorizontalPodAutoscaler',
    write: (kc, o, body) =>
      kc.makeApiClient(AutoscalingV2Api).replaceNamespacedHorizontalPodAutoscalerStatus({
        name: o.metadata.name,
        namespace: ns(o),
        body: body as never,
      }),
  },
};

const order = [
  'Namespace',
  'Node',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
];
const rank = (object: KubeObject) => {
  const index = order.indexOf(String(object.kind));
  return index === -1 ? order.length : index;
};

/**
 * Creates `objects` in a real API server as a kubernetes.yaml holds them: metadata the server owns
 * is dropped, namespaces come first, and each status is written through the status subresource.
 * An object that already exists is reused (409), so a rerun against the same cluster works.
 */
export async function loadIntoCluster(kc: KubeConfig, objects: readonly KubeObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const namespaces = new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => Boolean(n)));
  const implied: KubeObject[] = [...namespaces]
    .filter((name) => !objects.some((o) => o.kind === 'Namespace' && o.metadata.name === name))
    .map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  for (const object of [...implied, ...objects].sort((a, b) => rank(a) - rank(b))) {
    const { status, ...rest } = object;
    const {
      uid: _uid,
      resourceVersion: _rv,
      creationTimestamp: _ct,
      managedFields: _mf,
      generation: _g,
      ...metadata
    } = object.metadata;
    const ownerReferences = metadata.ownerReferences;
    const created = {
      ...rest,
      metadata: {
        ...metadata,
        ...(ownerReferences
          ? {
              ownerReferences: ownerReferences.map((ref) => ({
                apiVersion: 'apps/v1',
                uid: 'replayed',
                ...ref,
              })),
            }
          : {}),
      },
    };
    try {
      await client.create(created as never);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
    const writer = statusWriters[String(object.kind)];
    if (!status || !writer) continue;
    const current = await client.read({
      apiVersion: String(object.apiVersion),
      kind: String(object.kind),
      metadata: {
        name: object.metadata.name,
        ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      },
    } as never);
    const json = ObjectSerializer.serialize(current, writer.model, '') as KubeObject;
    const body = ObjectSerializer.deserialize({ ...json, status }, writer.model, '');
    await writer.write(kc, object, body);
  }
}
