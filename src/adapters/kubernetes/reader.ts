import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
// The generated serializer turns typed models (with Date fields) back into API JSON. The package has
// no `exports` map, so this deep import is the documented module, not a private one.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { ErrorCodes, MedicError } from '../../domain/errors.js';
import type { KubeObject } from '../../domain/evidence/telemetry.js';
import type { ClusterReader, ObjectRef } from '../../ports/cluster.js';

export interface ClusterReaderConfig {
  /** A kubeconfig file; neither this nor kubeconfigYaml means the default (KUBECONFIG, ~/.kube, in-cluster). */
  kubeconfig?: string;
  kubeconfigYaml?: string;
}

export function loadKubeConfig(config: ClusterReaderConfig): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (config.kubeconfigYaml !== undefined) kc.loadFromString(config.kubeconfigYaml);
    else if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new MedicError(
      ErrorCodes.config,
      `kubernetes: cannot load kubeconfig: ${(error as Error).message}`,
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new MedicError(ErrorCodes.config, 'kubernetes: the kubeconfig has no current cluster');
  }
  return kc;
}

/** RFC 3339 as the API server writes metav1.Time: whole seconds lose the `.000` Date adds. */
function normaliseTimes(value: unknown): unknown {
  if (typeof value === 'string') {
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(value) ? `${value.slice(0, 19)}Z` : value;
  }
  if (Array.isArray(value)) return value.map(normaliseTimes);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseTimes(v)]));
  }
  return value;
}

/** A typed model back to API JSON; list items get the apiVersion and kind the server leaves off. */
export function toJson(model: unknown, type: string, apiVersion: string, kind: string): KubeObject {
  const json = normaliseTimes(ObjectSerializer.serialize(model, type, '')) as KubeObject;
  return { ...json, apiVersion: json.apiVersion ?? apiVersion, kind: json.kind ?? kind };
}

export interface ApiStatus {
  message?: string;
  reason?: string;
  details?: unknown;
}

export function statusOf(body: unknown): ApiStatus {
  if (typeof body === 'string') {
    try {
      return statusOf(JSON.parse(body) as unknown);
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  if (body !== null && typeof body === 'object') return body as ApiStatus;
  return {};
}

function codeFor(status: number) {
  if (status === 401 || status === 403) return ErrorCodes.unauthorized;
  if (status === 404) return ErrorCodes.notFound;
  if (status === 400 || status === 422) return ErrorCodes.badRequest;
  return ErrorCodes.internal;
}

/** Runs one API call; a 404 gives null when `missingIsNull`, any other failure a MedicError. */
async function call<T>(what: string, namespace: string | undefined, run: () => Promise<T>): Promise<T>;
async function call<T>(
  what: string,
  namespace: string | undefined,
  run: () => Promise<T>,
  missingIsNull: true,
): Promise<T | null>;
async function call<T>(
  what: string,
  namespace: string | undefined,
  run: () => Promise<T>,
  missingIsNull = false,
): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiException) {
      const status = error.code;
      if (status === 404 && missingIsNull) return null;
      const api = statusOf(error.body);
      const message = api.message ?? (status === 401 ? 'Unauthorized' : `HTTP ${status}`);
      throw new MedicError(codeFor(status), `kubernetes: ${what}: ${message}`, {
        status,
        reason: api.reason ?? null,
        namespace: namespace ?? null,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new MedicError(
      ErrorCodes.internal,
      `kubernetes: ${what}: ${message}`,
      { namespace: namespace ?? null },
      { cause: error },
    );
  }
}

function revision(object: KubeObject): number {
  const value = Number(object.metadata.annotations?.['deployment.kubernetes.io/revision']);
  return Number.isFinite(value) ? value : -1;
}

function eventTime(event: KubeObject): number {
  const e = event as KubeObject & { lastTimestamp?: string; eventTime?: string; firstTimestamp?: string };
  const at = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return at === undefined ? 0 : Date.parse(at);
}

/** ClusterReader over the Kubernetes API with @kubernetes/client-node. */
export class KubernetesClusterReader implements ClusterReader {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly autoscaling: AutoscalingV2Api;

  constructor(kc: KubeConfig) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const { name } = ref;
    if (ref.kind === 'Node') {
      const node = await call(`get Node ${name}`, undefined, () => this.core.readNode({ name }), true);
      return node && toJson(node, 'V1Node', 'v1', 'Node');
    }
    const namespace = ref.namespace;
    if (namespace === undefined) {
      throw new MedicError(
        ErrorCodes.badRequest,
        `kubernetes: get ${ref.kind} ${name}: a namespace is required`,
      );
    }
    const what = `get ${ref.kind} ${namespace}/${name}`;
    const args = { name, namespace };
    switch (ref.kind) {
      case 'Deployment': {
        const o = await call(what, namespace, () => this.apps.readNamespacedDeployment(args), true);
        return o && toJson(o, 'V1Deployment', 'apps/v1', 'Deployment');
      }
      case 'StatefulSet': {
        const o = await call(what, namespace, () => this.apps.readNamespacedStatefulSet(args), true);
        return o && toJson(o, 'V1StatefulSet', 'apps/v1', 'StatefulSet');
      }
      case 'DaemonSet': {
        const o = await call(what, namespace, () => this.apps.readNamespacedDaemonSet(args), true);
        return o && toJson(o, 'V1DaemonSet', 'apps/v1', 'DaemonSet');
      }
      case 'HorizontalPodAutoscaler': {
        const run = () => this.autoscaling.readNamespacedHorizontalPodAutoscaler(args);
        const o = await call(what, namespace, run, true);
        return o && toJson(o, 'V2HorizontalPodAutoscaler', 'autoscaling/v2', 'HorizontalPodAutoscaler');
      }
      case 'Pod': {
        const o = await call(what, namespace, () => this.core.readNamespacedPod(args), true);
        return o && toJson(o, 'V1Pod', 'v1', 'Pod');
      }
    }
  }

  async replicaSets(namespace: string, labelSelector: string): Promise<KubeObject[]> {
    const what = `list ReplicaSets in ${namespace} (${labelSelector})`;
    const list = await call(what, namespace, () =>
      this.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
    );
    const items = list.items.map((rs) => toJson(rs, 'V1ReplicaSet', 'apps/v1', 'ReplicaSet'));
    const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
    return items.sort((a, b) => revision(b) - revision(a) || created(b) - created(a));
  }

  async pods(namespace: string, labelSelector?: string): Promise<KubeObject[]> {
    const what = `list Pods in ${namespace}${labelSelector ? ` (${labelSelector})` : ''}`;
    const request = labelSelector ? { namespace, labelSelector } : { namespace };
    const list = await call(what, namespace, () => this.core.listNamespacedPod(request));
    return list.items.map((pod) => toJson(pod, 'V1Pod', 'v1', 'Pod'));
  }

  /** Oldest first, by lastTimestamp (or eventTime, firstTimestamp, creationTimestamp). */
  async events(namespace: string, involvedObjectName?: string): Promise<KubeObject[]> {
    const about = involvedObjectName === undefined ? '' : ` about ${involvedObjectName}`;
    const request =
      involvedObjectName === undefined
        ? { namespace }
        : { namespace, fieldSelector: `involvedObject.name=${involvedObjectName}` };
    const list = await call(`list Events in ${namespace}${about}`, namespace, () =>
      this.core.listNamespacedEvent(request),
    );
    const items = list.items.map((event) => toJson(event, 'CoreV1Event', 'v1', 'Event'));
    return items.sort((a, b) => eventTime(a) - eventTime(b));
  }

  async horizontalPodAutoscalers(namespace: string): Promise<KubeObject[]> {
    const list = await call(`list HorizontalPodAutoscalers in ${namespace}`, namespace, () =>
      this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
    );
    return list.items.map((hpa) =>
      toJson(hpa, 'V2HorizontalPodAutoscaler', 'autoscaling/v2', 'HorizontalPodAutoscaler'),
    );
  }

  async namespaceLimits(
    namespace: string,
  ): Promise<{ limitRanges: KubeObject[]; resourceQuotas: KubeObject[] }> {
    const [ranges, quotas] = await Promise.all([
      call(`list LimitRanges in ${namespace}`, namespace, () =>
        this.core.listNamespacedLimitRange({ namespace }),
      ),
      call(`list ResourceQuotas in ${namespace}`, namespace, () =>
        this.core.listNamespacedResourceQuota({ namespace }),
      ),
    ]);
    return {
      limitRanges: ranges.items.map((o) => toJson(o, 'V1LimitRange', 'v1', 'LimitRange')),
      resourceQuotas: quotas.items.map((o) => toJson(o, 'V1ResourceQuota', 'v1', 'ResourceQuota')),
    };
  }

  async namespace(name: string): Promise<KubeObject | null> {
    const found = await call(
      `get Namespace ${name}`,
      undefined,
      () => this.core.readNamespace({ name }),
      true,
    );
    return found && toJson(found, 'V1Namespace', 'v1', 'Namespace');
  }

  async nodes(): Promise<KubeObject[]> {
    const list = await call('list Nodes', undefined, () => this.core.listNode());
    return list.items.map((node) => toJson(node, 'V1Node', 'v1', 'Node'));
  }
}

export function createClusterReader(config: ClusterReaderConfig = {}): ClusterReader {
  return new KubernetesClusterReader(loadKubeConfig(config));
}
