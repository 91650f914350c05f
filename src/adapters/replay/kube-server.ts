import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { KubeObject } from '../../domain/evidence/telemetry.js';
import { ReplayRollouts } from './kube-rollout.js';
import { notFound, qualified, status } from './kube-status.js';
import { KubeReplayStore } from './kube-store.js';
import { deleteObject, patchObject, type WriteContext } from './kube-write.js';
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.js';

export type { Status } from './kube-status.js';
export { KubeReplayStore } from './kube-store.js';

/** The resources the replay server serves. */
export const replayResources = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'limitranges', kind: 'LimitRange', namespaced: true },
  { group: '', version: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
] as const;

type Resource = (typeof replayResources)[number];

export interface KubeReplayOptions {
  /** Namespaces this server's user may not read: requests in them (and cluster-wide lists) get 403. */
  forbiddenNamespaces?: string[];
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** The user named in 403 messages. */
  user?: string;
  /**
   * Accept PATCH (strategic-merge, merge, JSON patch; `?dryRun=All`) and DELETE of Pods. Off by default:
   * a replayed world is then read-only and writes get 405.
   */
  writable?: boolean;
  /**
   * After a spec change, how many reads of the workload pass before its rollout converges (0, the
   * default: at once). Lets a caller watch `rollout status` wait, then finish.
   */
  rolloutReads?: number;
}

export interface KubeReplayServer {
  url: string;
  /** A kubeconfig whose current context points at this server. */
  kubeconfigYaml: string;
  /** Every request as `METHOD path?query`, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

interface Route {
  resource: Resource;
  namespace: string | null;
  name: string | null;
}

/** `/api/v1[/namespaces/{ns}]/{plural}[/{name}]` or `/apis/{group}/{version}/…`. */
function route(path: string): Route | null {
  const parts = path.split('/').filter((p) => p !== '');
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts[1] !== undefined) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return null;
  }
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = decodeURIComponent(rest[1] ?? '');
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 2) return null;
  const resource = replayResources.find(
    (r) => r.group === group && r.version === version && r.plural === rest[0],
  );
  if (!resource || (namespace !== null && !resource.namespaced)) return null;
  const name = rest[1] === undefined ? null : decodeURIComponent(rest[1]);
  return { resource, namespace, name };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface Request {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string;
  body: string;
}

function handle(context: WriteContext, options: KubeReplayOptions, req: Request): [number, unknown] {
  const { store } = context;
  const url = new URL(req.url, 'http://replay');
  if (options.token !== undefined && req.authorization !== `Bearer ${options.token}`) {
    return [401, status(401, 'Unauthorized', 'Unauthorized')];
  }
  if (url.pathname === '/version') {
    return [200, { major: '1', minor: '33', gitVersion: 'v1.33.0-replay', platform: 'linux/amd64' }];
  }
  const target = route(url.pathname);
  if (!target) {
    return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
  }
  const { resource, namespace, name } = target;
  const verb = req.method === 'GET' ? (name === null ? 'list' : 'get') : req.method.toLowerCase();
  const writes = options.writable ? ['PATCH', 'DELETE'] : [];
  if (req.method !== 'GET' && !(writes.includes(req.method) && name !== null)) {
    const why = options.writable
      ? 'the replay server takes GET, PATCH and DELETE of one object'
      : 'the replay server is read-only';
    return [405, status(405, 'MethodNotAllowed', `${why}: ${verb} is not allowed`)];
  }
  const forbidden = options.forbiddenNamespaces ?? [];
  const denied =
    resource.namespaced && (namespace === null ? forbidden.length > 0 : forbidden.includes(namespace));
  if (denied) {
    const subject = name === null ? resource.plural : `${qualified(resource)} "${name}"`;
    const scope = namespace === null ? 'at the cluster scope' : `in the namespace "${namespace}"`;
    const user = options.user ?? 'system:serviceaccount:medic:medic';
    const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource.plural}" in API group "${resource.group}" ${scope}`;
    const details = { ...(name === null ? {} : { name }), group: resource.group, kind: resource.plural };
    return [403, status(403, 'Forbidden', message, details)];
  }
  if (name !== null && req.method === 'PATCH') {
    return patchObject(context, { resource, namespace, name }, req.contentType, req.body, url.searchParams);
  }
  if (name !== null && req.method === 'DELETE') {
    return deleteObject(context, { resource, namespace, name }, url.searchParams);
  }
  const candidates = store.of(resource, namespace);
  if (name !== null) {
    const found = candidates.find((o) => o.metadata.name === name);
    if (!found) return [404, notFound(resource, name)];
    return [200, context.rollouts.read(found)];
  }
  let items = candidates;
  try {
    const labelSelector = url.searchParams.get('labelSelector');
    if (labelSelector) {
      const requirements = parseLabelSelector(labelSelector);
      items = items.filter((o) => labelsMatch(requirements, o.metadata.labels ?? {}));
    }
    const fieldSelector = url.searchParams.get('fieldSelector');
    if (fieldSelector) {
      const requirements = parseFieldSelector(fieldSelector);
      items = items.filter((o) => fieldsMatch(requirements, o));
    }
  } catch (error) {
    if (error instanceof SelectorError) return [400, status(400, 'BadRequest', error.message)];
    throw error;
  }
  // As a real API server does: list items carry neither apiVersion nor kind.
  const stripped = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  return [
    200,
    {
      kind: `${resource.kind}List`,
      apiVersion,
      metadata: { resourceVersion: store.resourceVersion },
      items: stripped,
    },
  ];
}

/** Serves `objects` (as a kubernetes.yaml holds them) over the Kubernetes REST protocol on 127.0.0.1. */
export async function startKubeReplayServer(
  objects: readonly KubeObject[],
  options: KubeReplayOptions = {},
): Promise<KubeReplayServer> {
  const store = new KubeReplayStore(objects);
  const context: WriteContext = { store, rollouts: new ReplayRollouts(store, options.rolloutReads ?? 0) };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    readBody(req)
      .then((body) => {
        const [code, answered] = handle(context, options, {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'] ?? '',
          body,
        });
        answer(res, code, answered);
      })
      .catch((error: unknown) => {
        answer(res, 500, status(500, 'InternalError', `replay server: ${(error as Error).message}`));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigYaml = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.x refuses plain http unless the cluster skips TLS verification.
    clusters: [{ name: 'replay', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'replay', user: options.token === undefined ? {} : { token: options.token } }],
    contexts: [{ name: 'replay', context: { cluster: 'replay', user: 'replay', namespace: 'default' } }],
    'current-context': 'replay',
  });
  return {
    url,
    kubeconfigYaml,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
