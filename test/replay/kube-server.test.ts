import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { loadWorld } from '../../src/adapters/replay/world.js';

const fixture = join(import.meta.dirname, '../fixtures/worlds/oom-checkout');

let server: KubeReplayServer;
beforeAll(async () => {
  const world = await loadWorld(fixture);
  server = await startKubeReplayServer(world.kubernetes, { forbiddenNamespaces: ['payments'] });
});
afterAll(async () => {
  await server.close();
});

interface ApiBody {
  message?: string;
  metadata?: { resourceVersion?: unknown };
  items?: Array<{ metadata: { name: string }; reason?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { code: response.status, body: (await response.json()) as ApiBody };
}
const names = (body: ApiBody) => (body.items ?? []).map((i) => i.metadata.name);

describe('kube replay server', () => {
  it('gets one object as stored, with apiVersion and kind', async () => {
    const { code, body } = await get('/apis/apps/v1/namespaces/shop/deployments/checkout');
    expect(code).toBe(200);
    expect(body).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'checkout' } });
    expect(body['status']).toMatchObject({ replicas: 3, readyReplicas: 2 });
  });

  it('lists as a List kind whose items carry no apiVersion or kind', async () => {
    const { code, body } = await get('/apis/apps/v1/namespaces/shop/replicasets');
    expect(code).toBe(200);
    expect(body).toMatchObject({ apiVersion: 'apps/v1', kind: 'ReplicaSetList' });
    expect(typeof body.metadata?.resourceVersion).toBe('string');
    expect(names(body).sort()).toEqual(['checkout-5b8c9d7f4', 'checkout-7d9f8b6c5']);
    expect(body.items?.[0]).not.toHaveProperty('kind');
    expect(body.items?.[0]).not.toHaveProperty('apiVersion');
  });

  it('serves namespaced, cluster-wide and cluster-scoped paths', async () => {
    expect(names((await get('/api/v1/namespaces/shop/pods')).body)).toHaveLength(3);
    expect(names((await get('/api/v1/namespaces/default/pods')).body)).toEqual([]);
    const open = await startKubeReplayServer((await loadWorld(fixture)).kubernetes);
    try {
      const pods = (await (await fetch(`${open.url}/api/v1/pods`)).json()) as ApiBody;
      expect(names(pods)).toHaveLength(3);
      const events = (await (await fetch(`${open.url}/api/v1/events`)).json()) as ApiBody;
      expect(events['items']).toHaveLength(8);
    } finally {
      await open.close();
    }
    expect(names((await get('/api/v1/nodes')).body)).toHaveLength(2);
    const node = await get('/api/v1/nodes/ip-10-0-1-23.eu-west-1.compute.internal');
    expect(node.body).toMatchObject({ kind: 'Node', apiVersion: 'v1' });
    const hpas = await get('/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers');
    expect(hpas.body).toMatchObject({ kind: 'HorizontalPodAutoscalerList', apiVersion: 'autoscaling/v2' });
    expect(names(hpas.body)).toEqual(['checkout']);
    expect((await get('/apis/apps/v1/namespaces/shop/statefulsets')).body['items']).toEqual([]);
    expect((await get('/apis/apps/v1/namespaces/shop/daemonsets')).body['items']).toEqual([]);
  });

  it('filters by label and field selectors', async () => {
    const q = (selector: string) =>
      `/api/v1/namespaces/shop/pods?labelSelector=${encodeURIComponent(selector)}`;
    expect(names((await get(q('app=checkout,pod-template-hash=7d9f8b6c5'))).body)).toHaveLength(3);
    expect(names((await get(q('app in (payments)'))).body)).toEqual([]);
    expect(names((await get(q('app notin (payments),!canary'))).body)).toHaveLength(3);
    const events = await get(
      `/api/v1/namespaces/shop/events?fieldSelector=${encodeURIComponent('involvedObject.name=checkout-7d9f8b6c5-bcdfg')}`,
    );
    expect((events.body.items ?? []).map((e) => e.reason).sort()).toEqual(['BackOff', 'Pulled']);
  });

  it('answers a missing object with a NotFound Status', async () => {
    const { code, body } = await get('/apis/apps/v1/namespaces/shop/deployments/nope');
    expect(code).toBe(404);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const pod = await get('/api/v1/namespaces/shop/pods/nope');
    expect(pod.body.message).toBe('pods "nope" not found');
    const unknown = await get('/apis/batch/v1/namespaces/shop/jobs');
    expect(unknown).toMatchObject({ code: 404, body: { kind: 'Status', reason: 'NotFound' } });
  });

  it('answers forbidden namespaces, and cluster-wide lists, with a Forbidden Status', async () => {
    const { code, body } = await get('/apis/apps/v1/namespaces/payments/deployments/payments');
    expect(code).toBe(403);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    expect(body.message).toBe(
      'deployments.apps "payments" is forbidden: User "system:serviceaccount:medic:medic" cannot get resource "deployments" in API group "apps" in the namespace "payments"',
    );
    const list = await get('/api/v1/pods');
    expect(list.code).toBe(403);
    expect(list.body.message).toMatch(/cannot list resource "pods" in API group "" at the cluster scope/);
    expect((await get('/api/v1/nodes')).code).toBe(200);
  });

  it('rejects bad selectors and writes', async () => {
    const bad = await get('/api/v1/namespaces/shop/pods?labelSelector=app%20in%20(x');
    expect(bad).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
    const response = await fetch(`${server.url}/api/v1/namespaces/shop/pods/x`, { method: 'DELETE' });
    expect(response.status).toBe(405);
  });

  it('records requests', () => {
    expect(server.requests).toContain('GET /apis/apps/v1/namespaces/shop/deployments/checkout');
  });
});

describe('kube replay server with a token', () => {
  it('answers 401 without the bearer token', async () => {
    const secured = await startKubeReplayServer([], { token: 's3cret' });
    try {
      const denied = await fetch(`${secured.url}/api/v1/nodes`);
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      const allowed = await fetch(`${secured.url}/api/v1/nodes`, {
        headers: { authorization: 'Bearer s3cret' },
      });
      expect(allowed.status).toBe(200);
      expect(secured.kubeconfigYaml).toContain('token: s3cret');
    } finally {
      await secured.close();
    }
  });
});
