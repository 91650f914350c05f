import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeReplayServer, startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import type { KubeObject } from '../../src/domain/evidence/telemetry.js';
import { writerNamespace, writerObjects } from './writer-objects.js';

/** The replay server's write protocol over plain HTTP: patch semantics, dry-run, and the Status answers. */
const ns = writerNamespace;
const webPath = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
const apiPath = `/apis/apps/v1/namespaces/${ns}/deployments/api`;
const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

interface Container {
  name: string;
  image?: string;
  env?: Array<{ name: string; value: string }>;
  ports?: Array<{ containerPort: number; name?: string }>;
  resources?: unknown;
}
const containersOf = (o: KubeObject) =>
  (o.spec?.['template'] as { spec: { containers: Container[] } } | undefined)?.spec.containers ?? [];

let server: KubeReplayServer;

async function send(method: string, path: string, body?: unknown, contentType = MERGE) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { code: response.status, body: (await response.json()) as KubeObject & Record<string, unknown> };
}

const patch = (body: unknown, contentType = MERGE, path = webPath) => send('PATCH', path, body, contentType);
const read = async (path = webPath) => (await send('GET', path)).body;

beforeAll(async () => {
  const objects = writerObjects().map((o) => {
    if (o.metadata.name !== 'web' || o.kind !== 'Deployment') return o;
    const copy = structuredClone(o);
    const [app] = containersOf(copy);
    if (app) {
      app.env = [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ];
      app.ports = [{ containerPort: 8080, name: 'http' }];
    }
    return copy;
  });
  server = await startKubeReplayServer(objects, { writable: true });
});
afterAll(async () => {
  await server.close();
});

describe('replay server: strategic merge', () => {
  it('merges containers, env and ports by their patchMergeKey and honours $patch: delete', async () => {
    const { code, body } = await patch(
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'app',
                  env: [
                    { name: 'B', value: '3' },
                    { name: 'A', $patch: 'delete' },
                    { name: 'C', value: '4' },
                  ],
                  ports: [{ containerPort: 8080, name: 'web' }],
                },
              ],
            },
          },
        },
      },
      SMP,
    );
    expect(code).toBe(200);
    const [app, sidecar] = containersOf(body);
    expect(app?.env).toEqual([
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
    expect(app?.ports).toEqual([{ containerPort: 8080, name: 'web' }]);
    expect(app?.image).toBe('registry.k8s.io/pause:3.10');
    expect(sidecar?.name).toBe('sidecar');
  });

  it('replaces a list whose elements have no merge key, and deletes a key set to null', async () => {
    const { body } = await patch(
      {
        metadata: { labels: { app: null } },
        spec: { template: { spec: { tolerations: [{ key: 'x', operator: 'Exists' }] } } },
      },
      SMP,
    );
    expect(body.metadata.labels).toEqual({});
    const template = body.spec?.['template'] as { spec: Record<string, unknown> } | undefined;
    expect(template?.spec['tolerations']).toEqual([{ key: 'x', operator: 'Exists' }]);
  });
});

describe('replay server: merge and JSON patches', () => {
  it('merge-patches as RFC 7386 says: lists are replaced whole', async () => {
    const containers = [{ name: 'only', image: 'registry.k8s.io/pause:3.10' }];
    const { body } = await send(
      'PATCH',
      webPath,
      { spec: { template: { spec: { containers } } } },
      `${MERGE}; charset=utf-8`,
    );
    expect(containersOf(body)).toEqual(containers);
  });

  it('applies a JSON patch and answers 422 when its test fails', async () => {
    const current = await read();
    const ok = await patch([{ op: 'replace', path: '/spec/replicas', value: 4 }], JSON_PATCH);
    expect(ok.body.spec?.['replicas']).toBe(4);
    const failed = await patch(
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
      JSON_PATCH,
    );
    expect(failed).toMatchObject({ code: 422, body: { kind: 'Status', reason: 'Invalid', code: 422 } });
    expect((await read()).spec?.['replicas']).toBe(4);
    expect(current.metadata.generation).toBeLessThan(ok.body.metadata.generation ?? 0);
  });

  it('answers 409 for a JSON patch that sets an old resourceVersion', async () => {
    const stale = await patch([{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }], JSON_PATCH);
    expect(stale).toMatchObject({
      code: 409,
      body: { reason: 'Conflict', details: { name: 'web', group: 'apps' } },
    });
  });

  it('answers 415 for a content type that is no patch', async () => {
    const { code, body } = await patch({ spec: { replicas: 1 } }, 'application/json');
    expect(code).toBe(415);
    expect(body).toMatchObject({ reason: 'UnsupportedMediaType', message: '415: Unsupported Media Type' });
  });
});

describe('replay server: bookkeeping', () => {
  it('bumps resourceVersion on every write but generation only when the spec changes', async () => {
    const before = await read();
    const labelled = (await patch({ metadata: { labels: { tier: 'front' } } })).body;
    expect(Number(labelled.metadata['resourceVersion'])).toBeGreaterThan(
      Number(before.metadata['resourceVersion']),
    );
    expect(labelled.metadata.generation).toBe(before.metadata.generation);
    const scaled = (await patch({ spec: { replicas: 6 } })).body;
    expect(scaled.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
  });

  it('stores nothing for a no-op patch or a dry-run, and rejects other dryRun values', async () => {
    const before = await read();
    const noop = await patch({ spec: { replicas: before.spec?.['replicas'] } });
    expect(noop.body.metadata['resourceVersion']).toBe(before.metadata['resourceVersion']);
    const dry = await patch({ spec: { replicas: 9 } }, MERGE, `${webPath}?dryRun=All&fieldManager=medic`);
    expect(dry.body.spec?.['replicas']).toBe(9);
    expect(dry.body.metadata['resourceVersion']).toBe(before.metadata['resourceVersion']);
    expect((await read()).spec?.['replicas']).toBe(before.spec?.['replicas']);
    const bad = await patch({ spec: { replicas: 9 } }, MERGE, `${webPath}?dryRun=Some`);
    expect(bad).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
  });

  it('ignores status sent to the main resource, as the status subresource owns it', async () => {
    const before = await read();
    const { body } = await patch({ status: { replicas: 42 } });
    expect(body.status).toEqual(before.status);
  });
});

describe('replay server: validation', () => {
  it('answers 422 Invalid with one cause per field', async () => {
    const { code, body } = await patch(
      {
        spec: {
          replicas: -2,
          template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: 'lots' } } }] } },
        },
      },
      SMP,
      apiPath,
    );
    expect(code).toBe(422);
    expect(body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
    });
    expect(body['message']).toMatch(
      /^Deployment\.apps "api" is invalid: \[spec\.replicas: Invalid value: -2: /,
    );
    const details = body['details'] as { causes: Array<{ field: string; reason: string }> };
    expect(details.causes.map((c) => c.field)).toEqual([
      'spec.replicas',
      'spec.template.spec.containers[0].resources.limits.memory',
    ]);
    expect(details.causes.every((c) => c.reason === 'FieldValueInvalid')).toBe(true);
  });

  it('answers 422 when the template labels stop matching the selector', async () => {
    const { code, body } = await patch(
      { spec: { template: { metadata: { labels: { app: 'other' } } } } },
      SMP,
      apiPath,
    );
    expect(code).toBe(422);
    expect(body['message']).toMatch(
      /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/,
    );
  });

  it('answers 422 for an HPA whose maxReplicas is below minReplicas', async () => {
    const { code } = await patch(
      { spec: { maxReplicas: 1 } },
      MERGE,
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/web`,
    );
    expect(code).toBe(422);
  });

  it('answers 404 without a group for a core object, and 405 for deleting a Deployment', async () => {
    const missing = await send('DELETE', `/api/v1/namespaces/${ns}/pods/nope`);
    expect(missing).toMatchObject({
      code: 404,
      body: { message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } },
    });
    expect(missing.body['details']).not.toHaveProperty('group');
    expect((await send('DELETE', webPath)).code).toBe(405);
  });
});
