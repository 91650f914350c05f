import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  startControlPlane,
} from '../support/control-plane.js';
import { waitFor } from '../support/ports.js';

const available = controlPlaneAvailable();
if (!available) console.warn(`skipping control-plane smoke test: ${controlPlaneSkipReason()}`);

function deployment(name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.invalid/medic/app:1' }] },
      },
    },
  };
}

interface Obj {
  metadata?: { name?: string; uid?: string; ownerReferences?: Array<{ kind: string; name: string }> };
  spec?: { replicas?: number };
}

describe.skipIf(!available)('control plane (etcd + kube-apiserver + kube-controller-manager)', () => {
  let cp: ControlPlane;

  beforeAll(async () => {
    cp = await startControlPlane({ withControllers: true });
  }, 180_000);

  afterAll(async () => {
    await cp?.stop();
  });

  it.skipIf(!available)('serves a kubeconfig with the admin token and the CA', () => {
    expect(cp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cp.kubeconfigYaml).toContain(`server: ${cp.url}`);
    expect(cp.kubeconfigYaml).toContain(`token: ${cp.token}`);
    expect(cp.kubeconfigYaml).toContain('certificate-authority-data: ');
  });

  it.skipIf(!available)('rejects requests without the token', async () => {
    const res = await cp.request('GET', '/api/v1/namespaces', undefined);
    expect(res.status).toBe(200);
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      request(`${cp.url}/api/v1/namespaces`, { ca: cp.caPem }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect([401, 403]).toContain(status);
  });

  it.skipIf(!available)(
    'creates a namespace and a Deployment, reads it back, and a ReplicaSet appears',
    async () => {
      const ns = `smoke-${Date.now()}`;
      const created = await cp.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
      expect(created.status).toBe(201);

      const made = await cp.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('web'));
      expect(made.status).toBe(201);

      const read = await cp.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`);
      expect(read.status).toBe(200);
      const dep = read.body as Obj;
      expect(dep.metadata?.name).toBe('web');
      expect(dep.spec?.replicas).toBe(2);

      const rs = await waitFor(
        'a ReplicaSet owned by the Deployment',
        async () => {
          const list = await cp.request('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`);
          const items = (list.body as { items?: Obj[] }).items ?? [];
          return items.find((item) =>
            item.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === 'web'),
          );
        },
        60_000,
      );
      expect(rs.spec?.replicas).toBe(2);

      // The replicaset controller creates Pods (they stay Pending: there is no kubelet or scheduler).
      const pods = await waitFor(
        'Pods created by the ReplicaSet',
        async () => {
          const list = await cp.request('GET', `/api/v1/namespaces/${ns}/pods`);
          const items = (list.body as { items?: Obj[] }).items ?? [];
          return items.length === 2 ? items : undefined;
        },
        60_000,
      );
      expect(pods).toHaveLength(2);
    },
  );
});
